import { humanDuration } from '../../base/index.js';
import { MASKED_PATHS, READONLY_PATHS, hasProcess, type ContainerRecord } from '../../container/index.js';
import { compareVersions } from '../server/index.js';
import type { ContainerInspectResponse, ContainerSummary, PortSummary, EndpointSettings, HostConfig as WireHostConfig, ContainerCreateConfig as WireConfig } from '../types/index.js';

/** The "Up 3 seconds" / "Exited (0) 2 minutes ago" text of `docker ps`. */
export function statusText(rec: ContainerRecord, now = Date.now()): string {
  const s = rec.state;
  const ago = (iso: string): string => humanDuration(now - Date.parse(iso));
  switch (s.status) {
    case 'running': return `Up ${ago(s.startedAt)}`;
    case 'paused': return `Up ${ago(s.startedAt)} (Paused)`;
    case 'restarting': return `Restarting (${s.exitCode}) ${ago(s.finishedAt)} ago`;
    case 'removing': return 'Removal In Progress';
    case 'dead': return 'Dead';
    case 'created': return 'Created';
    case 'exited': return `Exited (${s.exitCode}) ${ago(s.finishedAt)} ago`;
  }
}

function commandString(rec: ContainerRecord): string {
  return [rec.path, ...rec.args].map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ');
}

function endpoints(rec: ContainerRecord): Record<string, EndpointSettings> {
  const running = hasProcess(rec.state);
  const mode = rec.hostConfig.NetworkMode;
  if (mode.startsWith('container:')) return {};
  const live = running && rec.networks && Object.keys(rec.networks).length ? rec.networks : undefined;
  const asked = rec.networkingConfig?.EndpointsConfig ?? {};
  const names = live ? Object.keys(live) : [...new Set([mode, ...Object.keys(asked).filter((k) => k !== 'default' || mode !== 'bridge')])];
  const out: Record<string, EndpointSettings> = {};
  for (const name of names) {
    const ep = live?.[name] ?? (running && name === mode ? rec.network : undefined);
    const cfg = asked[name] ?? (name === 'bridge' ? asked.default : undefined);
    const ipam4 = ep?.ipamConfig?.ipv4Address ?? cfg?.IPAMConfig?.IPv4Address;
    const ipam6 = ep?.ipamConfig?.ipv6Address ?? cfg?.IPAMConfig?.IPv6Address;
    out[name] = {
      IPAMConfig: ipam4 || ipam6 ? { ...(ipam4 ? { IPv4Address: ipam4 } : {}), ...(ipam6 ? { IPv6Address: ipam6 } : {}) } : null, Links: cfg?.Links ?? null,
      Aliases: ep?.aliases ?? cfg?.Aliases ?? null, MacAddress: ep?.macAddress ?? '',
      DriverOpts: cfg?.DriverOpts ?? null, GwPriority: 0, NetworkID: ep?.networkId ?? (name === mode ? rec.network?.networkId ?? '' : ''),
      EndpointID: ep?.endpointId ?? '', Gateway: ep?.gateway ?? '', IPAddress: ep?.ipAddress ?? '', IPPrefixLen: ep?.ipPrefixLen ?? 0,
      IPv6Gateway: ep?.ipv6Gateway ?? '', GlobalIPv6Address: ep?.globalIPv6Address ?? '', GlobalIPv6PrefixLen: ep?.globalIPv6PrefixLen ?? 0, DNSNames: ep?.dnsNames ?? null,
    } as unknown as EndpointSettings;
  }
  return out;
}

export function toContainerSummary(rec: ContainerRecord, opts: { imageName: string; sizeRw?: number; sizeRootFs?: number }): ContainerSummary {
  return {
    Id: rec.id,
    Names: [`/${rec.name}`],
    Image: opts.imageName,
    ImageID: rec.imageId,
    Command: commandString(rec),
    Created: Math.floor(Date.parse(rec.created) / 1000),
    Ports: Object.keys(portMap(rec)).map((p) => ({ PrivatePort: Number(p.split('/')[0]), Type: p.split('/')[1] as PortSummary['Type'] })),
    ...(opts.sizeRw !== undefined ? { SizeRw: opts.sizeRw, SizeRootFs: opts.sizeRootFs ?? 0 } : {}),
    Labels: rec.config.Labels ?? {},
    State: rec.state.status,
    Status: statusText(rec),
    HostConfig: { NetworkMode: rec.hostConfig.NetworkMode },
    NetworkSettings: { Networks: endpoints(rec) },
    Mounts: [],
  };
}

/** The keys dockerd sends in every HostConfig, with the values it stores when a create leaves them out. */
function fullHostConfig(rec: ContainerRecord, version: string): Record<string, unknown> {
  const h = rec.hostConfig as unknown as Record<string, unknown>;
  const privileged = Boolean(h.Privileged);
  const defaults: Record<string, unknown> = {
    Binds: null, ContainerIDFile: '', LogConfig: { Type: 'json-file', Config: {} }, NetworkMode: 'bridge', PortBindings: null,
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false, VolumeDriver: '', VolumesFrom: null,
    ConsoleSize: [0, 0], CapAdd: null, CapDrop: null,
    // berth gives a container no cgroup namespace of its own, and always a private IPC namespace.
    CgroupnsMode: 'host', Dns: null, DnsOptions: null, DnsSearch: null, ExtraHosts: null, GroupAdd: null, IpcMode: 'private',
    Cgroup: '', Links: null, OomScoreAdj: 0, PidMode: '', Privileged: false, PublishAllPorts: false, ReadonlyRootfs: false,
    SecurityOpt: null, UTSMode: '', UsernsMode: '', ShmSize: 64 * 1024 * 1024, Runtime: rec.runtime, Isolation: '',
    CpuShares: 0, Memory: 0, NanoCpus: 0, CgroupParent: '', BlkioWeight: 0, BlkioWeightDevice: null,
    BlkioDeviceReadBps: null, BlkioDeviceWriteBps: null, BlkioDeviceReadIOps: null, BlkioDeviceWriteIOps: null,
    CpuPeriod: 0, CpuQuota: 0, CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0, CpusetCpus: '', CpusetMems: '',
    Devices: null, DeviceCgroupRules: null, DeviceRequests: null,
    // Removed from the API in 1.42 (kernel memory limits are gone from cgroup v2 and runc).
    ...(compareVersions(version, '1.42') < 0 ? { KernelMemory: 0, KernelMemoryTCP: 0 } : {}),
    MemoryReservation: 0, MemorySwap: 0, MemorySwappiness: null, OomKillDisable: false, PidsLimit: null, Ulimits: null,
    CpuCount: 0, CpuPercent: 0, IOMaximumIOps: 0, IOMaximumBandwidth: 0,
    MaskedPaths: privileged ? null : [...MASKED_PATHS], ReadonlyPaths: privileged ? null : [...READONLY_PATHS],
  };
  const out = { ...defaults };
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !(v === '' && typeof defaults[k] === 'string' && defaults[k] !== '')) out[k] = v;
  return out;
}

/** Exposed ports as NetworkSettings.Ports shows them while the container runs: published or null. */
function portMap(rec: ContainerRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!hasProcess(rec.state) || rec.hostConfig.NetworkMode === 'host' || rec.hostConfig.NetworkMode === 'none') return out;
  for (const p of Object.keys(rec.config.ExposedPorts ?? {})) out[p.includes('/') ? p : `${p}/tcp`] = null;
  return out;
}

export function toContainerInspect(rec: ContainerRecord, paths: { root: string; hostname: string; hosts: string; resolvConf: string; log: string; upper: string; work: string; sizeRw?: number; sizeRootFs?: number }, version = '1.47'): ContainerInspectResponse {
  const s = rec.state;
  // NetworkSettings' top-level address fields are the default bridge's (empty on user networks), as dockerd's
  const ep = rec.networks ? rec.networks.bridge : rec.network;
  const live = hasProcess(s) && ep;
  return {
    Id: rec.id,
    Created: rec.created,
    Path: rec.path,
    Args: rec.args,
    State: {
      Status: s.status, Running: hasProcess(s), Paused: s.status === 'paused',
      Restarting: s.status === 'restarting', OOMKilled: s.oomKilled, Dead: s.status === 'dead', Pid: s.pid,
      ExitCode: s.exitCode, Error: s.error, StartedAt: s.startedAt, FinishedAt: s.finishedAt,
    },
    Image: rec.imageId,
    ResolvConfPath: paths.resolvConf,
    HostnamePath: paths.hostname,
    HostsPath: paths.hosts,
    LogPath: paths.log,
    Name: `/${rec.name}`,
    RestartCount: rec.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: fullHostConfig(rec, version) as unknown as WireHostConfig,
    GraphDriver: { Name: 'overlay2', Data: { UpperDir: paths.upper, WorkDir: paths.work, MergedDir: paths.root } },
    ...(paths.sizeRw !== undefined ? { SizeRw: paths.sizeRw, SizeRootFs: paths.sizeRootFs ?? 0 } : {}),
    Mounts: [],
    Config: { Volumes: null, OnBuild: null, ...rec.config } as unknown as WireConfig,
    NetworkSettings: {
      SandboxID: live ? rec.id : '',
      SandboxKey: '',
      Ports: portMap(rec) as NonNullable<ContainerInspectResponse['NetworkSettings']>['Ports'],
      Bridge: '', HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0,
      SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
      EndpointID: live ? ep.endpointId : '', Gateway: live ? ep.gateway : '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
      IPAddress: live ? ep.ipAddress : '', IPPrefixLen: live ? ep.ipPrefixLen : 0, IPv6Gateway: '', MacAddress: live ? ep.macAddress : '',
      Networks: endpoints(rec),
    },
  };
}
