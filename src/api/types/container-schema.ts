// The body of POST /containers/create as dockerd decodes it (api/types/container of API 1.47),
// and the static checks dockerd makes before it looks at the image or the host.
import { isIP } from 'node:net';
import { InvalidArgumentError } from '../../base/index.js';
import { LINUX_CAPABILITIES, checkMemoryResources, parseSignal } from '../../oci/index.js';
import type { ContainerCreateRequest } from './container.js';
import {
  anyValue, arrayOf, bool, decodeJsonBody, emptyStruct, int, mapOf, named, str, stringsOf, strslice, struct, type Schema,
} from './schema.js';

const strings = arrayOf(str);
const stringMap = mapOf(str);

const healthConfig = struct('container.HealthConfig', {
  Test: strings, Interval: int('time.Duration'), Timeout: int('time.Duration'), StartPeriod: int('time.Duration'),
  StartInterval: int('time.Duration'), Retries: int('int'),
});

/** container.Config: the portable part, promoted into CreateRequest. */
const configFields: Record<string, Schema> = {
  Hostname: str, Domainname: str, User: str, AttachStdin: bool, AttachStdout: bool, AttachStderr: bool,
  ExposedPorts: mapOf(emptyStruct, 'nat.PortSet'), Tty: bool, OpenStdin: bool, StdinOnce: bool, Env: strings,
  Cmd: strslice, Healthcheck: healthConfig, ArgsEscaped: bool, Image: str, Volumes: mapOf(emptyStruct),
  WorkingDir: str, Entrypoint: strslice, NetworkDisabled: bool, MacAddress: str, OnBuild: strings, Labels: stringMap,
  StopSignal: str, StopTimeout: int('int'), Shell: strslice,
};

const weightDevice = arrayOf(struct('blkiodev.WeightDevice', { Path: str, Weight: int('uint16') }), '[]*blkiodev.WeightDevice');
const throttleDevice = arrayOf(struct('blkiodev.ThrottleDevice', { Path: str, Rate: int('uint64') }), '[]*blkiodev.ThrottleDevice');

export const RESOURCES_FIELDS: Record<string, Schema> = {
  CpuShares: int('int64'), Memory: int('int64'), NanoCpus: int('int64'), CgroupParent: str, BlkioWeight: int('uint16'),
  BlkioWeightDevice: weightDevice, BlkioDeviceReadBps: throttleDevice, BlkioDeviceWriteBps: throttleDevice,
  BlkioDeviceReadIOps: throttleDevice, BlkioDeviceWriteIOps: throttleDevice, CpuPeriod: int('int64'), CpuQuota: int('int64'),
  CpuRealtimePeriod: int('int64'), CpuRealtimeRuntime: int('int64'), CpusetCpus: str, CpusetMems: str,
  Devices: arrayOf(struct('container.DeviceMapping', { PathOnHost: str, PathInContainer: str, CgroupPermissions: str })),
  DeviceCgroupRules: strings,
  DeviceRequests: arrayOf(struct('container.DeviceRequest', {
    Driver: str, Count: int('int'), DeviceIDs: strings, Capabilities: arrayOf(strings), Options: stringMap,
  })),
  KernelMemory: int('int64'), KernelMemoryTCP: int('int64'), MemoryReservation: int('int64'), MemorySwap: int('int64'),
  MemorySwappiness: int('int64'), OomKillDisable: bool, PidsLimit: int('int64'),
  Ulimits: arrayOf(struct('container.Ulimit', { Name: str, Hard: int('int64'), Soft: int('int64') }), '[]*container.Ulimit'),
  CpuCount: int('int64'), CpuPercent: int('int64'), IOMaximumIOps: int('uint64'), IOMaximumBandwidth: int('uint64'),
};

const mount = struct('mount.Mount', {
  Type: named('mount.Type'), Source: str, Target: str, ReadOnly: bool, Consistency: named('mount.Consistency'),
  BindOptions: struct('mount.BindOptions', {
    Propagation: named('mount.Propagation'), NonRecursive: bool, CreateMountpoint: bool, ReadOnlyNonRecursive: bool, ReadOnlyForceRecursive: bool,
  }),
  VolumeOptions: struct('mount.VolumeOptions', {
    NoCopy: bool, Labels: stringMap, Subpath: str, DriverConfig: struct('mount.Driver', { Name: str, Options: stringMap }),
  }),
  TmpfsOptions: struct('mount.TmpfsOptions', { SizeBytes: int('int64'), Mode: int('fs.FileMode'), Options: arrayOf(strings) }),
  ClusterOptions: anyValue,
});

const hostConfig = struct('container.HostConfig', {
  Binds: strings, ContainerIDFile: str, LogConfig: struct('container.LogConfig', { Type: str, Config: stringMap }),
  NetworkMode: named('container.NetworkMode'),
  PortBindings: mapOf(arrayOf(struct('nat.PortBinding', { HostIp: str, HostPort: str })), 'nat.PortMap'),
  RestartPolicy: struct('container.RestartPolicy', { Name: named('container.RestartPolicyMode'), MaximumRetryCount: int('int') }),
  AutoRemove: bool, VolumeDriver: str, VolumesFrom: strings, ConsoleSize: arrayOf(int('uint'), '[2]uint'), Annotations: stringMap,
  CapAdd: strslice, CapDrop: strslice, CgroupnsMode: named('container.CgroupnsMode'), Dns: strings, DnsOptions: strings,
  DnsSearch: strings, ExtraHosts: strings, GroupAdd: strings, IpcMode: named('container.IpcMode'), Cgroup: named('container.CgroupSpec'),
  Links: strings, OomScoreAdj: int('int'), PidMode: named('container.PidMode'), Privileged: bool, PublishAllPorts: bool,
  ReadonlyRootfs: bool, SecurityOpt: strings, StorageOpt: stringMap, Tmpfs: stringMap, UTSMode: named('container.UTSMode'),
  UsernsMode: named('container.UsernsMode'), ShmSize: int('int64'), Sysctls: stringMap, Runtime: str,
  Isolation: named('container.Isolation'), ...RESOURCES_FIELDS, Mounts: arrayOf(mount), MaskedPaths: strings,
  ReadonlyPaths: strings, Init: bool,
});

const endpointSettings = struct('network.EndpointSettings', {
  IPAMConfig: struct('network.EndpointIPAMConfig', { IPv4Address: str, IPv6Address: str, LinkLocalIPs: strings }),
  Links: strings, Aliases: strings, MacAddress: str, DriverOpts: stringMap, GwPriority: int('int'), NetworkID: str, EndpointID: str,
  Gateway: str, IPAddress: str, IPPrefixLen: int('int'), IPv6Gateway: str, GlobalIPv6Address: str, GlobalIPv6PrefixLen: int('int'),
  DNSNames: strings,
});

export const CONTAINER_CREATE_SCHEMA: Schema = struct('container.CreateRequest', {
  ...configFields,
  HostConfig: hostConfig,
  NetworkingConfig: struct('network.NetworkingConfig', { EndpointsConfig: mapOf(endpointSettings, 'map[string]*network.EndpointSettings') }),
});

const MIN_DURATION_NS = 1_000_000;
const KNOWN_CAPS = new Set(LINUX_CAPABILITIES);

/**
 * Decode and check a create request's body. Nothing that fails here reaches the service: a
 * wrong type is Go's decode error, a value out of its static range is dockerd's create error.
 */
export function decodeContainerCreate(text: string): ContainerCreateRequest {
  const body = decodeJsonBody<ContainerCreateRequest | null>(text, CONTAINER_CREATE_SCHEMA);
  if (body === undefined) throw new InvalidArgumentError('invalid JSON: got EOF while reading request body');
  if (body === null) throw new InvalidArgumentError('config cannot be empty in order to create a container');
  checkContainerCreate(body);
  return body;
}

function checkContainerCreate(b: ContainerCreateRequest): void {
  // A NUL byte cannot reach argv, the environment or a path: refused, where dockerd would cut or fail later.
  for (const [path, s] of stringsOf(b, '')) {
    if (s.includes('\0')) throw new InvalidArgumentError(`invalid ${path || 'value'}: NUL bytes are not allowed`);
  }
  if (b.WorkingDir && !b.WorkingDir.startsWith('/')) {
    throw new InvalidArgumentError(`the working directory '${b.WorkingDir}' is invalid, it needs to be an absolute path`);
  }
  if (b.StopSignal) parseSignal(b.StopSignal);
  for (const e of b.Env ?? []) {
    if (e.split('=', 1)[0] === '') throw new InvalidArgumentError(`invalid environment variable: ${e}`);
  }
  const hc = b.Healthcheck;
  if (hc) {
    for (const f of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval'] as const) {
      const v = hc[f];
      if (v && v < MIN_DURATION_NS) throw new InvalidArgumentError(`${f} in Healthcheck cannot be less than 1ms`);
    }
    if ((hc.Retries ?? 0) < 0) throw new InvalidArgumentError('Retries in Healthcheck cannot be negative');
  }
  const h = b.HostConfig;
  if (!h) return;
  for (const [field, list] of [['CapAdd', h.CapAdd], ['CapDrop', h.CapDrop]] as const) {
    for (const c of list ?? []) {
      const up = c.toUpperCase();
      if (up === 'ALL') continue;
      const name = up.startsWith('CAP_') ? up : `CAP_${up}`;
      if (!KNOWN_CAPS.has(name)) throw new InvalidArgumentError(`invalid ${field}: unknown capability: ${JSON.stringify(name)}`);
    }
  }
  for (const x of h.ExtraHosts ?? []) {
    const colon = x.indexOf(':');
    if (colon <= 0) throw new InvalidArgumentError(`bad format for add-host: ${JSON.stringify(x)}`);
    const ip = x.slice(colon + 1);
    if (ip !== 'host-gateway' && !isIP(ip.trim().replace(/^\[(.*)\]$/, '$1'))) throw new InvalidArgumentError(`invalid IP address in add-host: ${JSON.stringify(ip)}`);
  }
  if (h.Isolation && h.Isolation !== 'default') throw new InvalidArgumentError(`invalid isolation '${h.Isolation}' on linux`);
  for (const k of Object.keys(h.Annotations ?? {})) {
    if (k === '') throw new InvalidArgumentError('invalid Annotations: the empty string is not permitted as an annotation key');
  }
  checkMemoryResources(h);
  if ((h.ShmSize ?? 0) < 0) throw new InvalidArgumentError('SHM size can not be less than 0');
  const oom = h.OomScoreAdj ?? 0;
  if (oom < -1000 || oom > 1000) throw new InvalidArgumentError(`Invalid value ${oom}, range for oom score adj is [-1000, 1000]`);
}
