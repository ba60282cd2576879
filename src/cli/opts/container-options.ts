import { readFileSync } from 'node:fs';
import type { ContainerCreateRequest, DeviceMapping, EndpointSettings, HostConfig, Mount, ThrottleDevice } from '../../api/types/index.js';
import type { FlagSet, Ulimit } from '../flags/index.js';
import { readKvStrings, kvToMap } from './kv-files.js';
import { parseMountSpec, parseVolumeSpec } from './mounts.js';
import { parsePortRange, parsePortSpecs, splitProtoPort, toStandardPortNotation } from './ports.js';
import {
  validateAttach, validateDeviceCgroupRule, validateDnsSearch, validateEnv, validateExtraHost, validateIp,
  validateLabel, validateLink, validateSysctl, validateThrottleBps, validateThrottleIops, validateWeightDevice,
} from './validators.js';

/** The flags `run` and `create` share (docker's addFlags), with docker's usage texts. */
export function containerFlags(fs: FlagSet) {
  const f = {
    attach: fs.list('attach', 'a', 'Attach to STDIN, STDOUT or STDERR', validateAttach),
    deviceCgroupRule: fs.list('device-cgroup-rule', '', 'Add a rule to the cgroup allowed devices list', validateDeviceCgroupRule),
    device: fs.list('device', '', 'Add a host device to the container'),
    gpus: fs.list('gpus', '', "GPU devices to add to the container ('all' to pass all GPUs)", undefined, { type: 'gpu-request' }),
    env: fs.list('env', 'e', 'Set environment variables', validateEnv),
    envFile: fs.list('env-file', '', 'Read in a file of environment variables'),
    entrypoint: fs.string('entrypoint', '', '', 'Overwrite the default ENTRYPOINT of the image'),
    groupAdd: fs.list('group-add', '', 'Add additional groups to join'),
    hostname: fs.string('hostname', 'h', '', 'Container host name'),
    domainname: fs.string('domainname', '', '', 'Container NIS domain name'),
    interactive: fs.bool('interactive', 'i', false, 'Keep STDIN open even if not attached'),
    label: fs.list('label', 'l', 'Set meta data on a container', validateLabel),
    labelFile: fs.list('label-file', '', 'Read in a line delimited file of labels'),
    readOnly: fs.bool('read-only', '', false, "Mount the container's root filesystem as read only"),
    restart: fs.string('restart', '', 'no', 'Restart policy to apply when a container exits'),
    stopSignal: fs.string('stop-signal', '', '', 'Signal to stop the container'),
    stopTimeout: fs.int('stop-timeout', '', 0, 'Timeout (in seconds) to stop a container'),
    sysctl: fs.map('sysctl', '', 'Sysctl options', validateSysctl),
    tty: fs.bool('tty', 't', false, 'Allocate a pseudo-TTY'),
    ulimit: fs.ulimit('ulimit', '', 'Ulimit options'),
    user: fs.string('user', 'u', '', 'Username or UID (format: <name|uid>[:<group|gid>])'),
    workdir: fs.string('workdir', 'w', '', 'Working directory inside the container'),
    rm: fs.bool('rm', '', false, 'Automatically remove the container and its associated anonymous volumes when it exits'),
    capAdd: fs.list('cap-add', '', 'Add Linux capabilities'),
    capDrop: fs.list('cap-drop', '', 'Drop Linux capabilities'),
    privileged: fs.bool('privileged', '', false, 'Give extended privileges to this container'),
    securityOpt: fs.list('security-opt', '', 'Security Options'),
    userns: fs.string('userns', '', '', 'User namespace to use'),
    cgroupns: fs.string('cgroupns', '', '', "Cgroup namespace to use (host|private)\n'host':    Run the container in the Docker host's cgroup namespace\n'private': Run the container in its own private cgroup namespace\n'':        Use the cgroup namespace as configured by the\n           default-cgroupns-mode option on the daemon (default)"),
    addHost: fs.list('add-host', '', 'Add a custom host-to-IP mapping (host:ip)', validateExtraHost),
    dns: fs.list('dns', '', 'Set custom DNS servers', validateIp),
    dnsOption: fs.list('dns-option', '', 'Set DNS options'),
    dnsSearch: fs.list('dns-search', '', 'Set custom DNS search domains', validateDnsSearch),
    expose: fs.list('expose', '', 'Expose a port or a range of ports'),
    ip: fs.string('ip', '', '', 'IPv4 address (e.g., 172.30.100.104)'),
    ip6: fs.string('ip6', '', '', 'IPv6 address (e.g., 2001:db8::33)'),
    link: fs.list('link', '', 'Add link to another container', validateLink),
    linkLocalIp: fs.list('link-local-ip', '', 'Container IPv4/IPv6 link-local addresses'),
    macAddress: fs.string('mac-address', '', '', 'Container MAC address (e.g., 92:d0:c6:0a:29:33)'),
    publish: fs.list('publish', 'p', "Publish a container's port(s) to the host"),
    publishAll: fs.bool('publish-all', 'P', false, 'Publish all exposed ports to random ports'),
    network: fs.list('network', '', 'Connect a container to a network', undefined, { type: 'network' }),
    networkAlias: fs.list('network-alias', '', 'Add network-scoped alias for the container'),
    logDriver: fs.string('log-driver', '', '', 'Logging driver for the container'),
    volumeDriver: fs.string('volume-driver', '', '', 'Optional volume driver for the container'),
    logOpt: fs.list('log-opt', '', 'Log driver options'),
    storageOpt: fs.list('storage-opt', '', 'Storage driver options for the container'),
    tmpfs: fs.list('tmpfs', '', 'Mount a tmpfs directory'),
    volumesFrom: fs.list('volumes-from', '', 'Mount volumes from the specified container(s)'),
    volume: fs.list('volume', 'v', 'Bind mount a volume'),
    mount: fs.list('mount', '', 'Attach a filesystem mount to the container', undefined, { type: 'mount' }),
    healthCmd: fs.string('health-cmd', '', '', 'Command to run to check health'),
    healthInterval: fs.duration('health-interval', '', 0, 'Time between running the check (ms|s|m|h) (default 0s)'),
    healthRetries: fs.int('health-retries', '', 0, 'Consecutive failures needed to report unhealthy'),
    healthTimeout: fs.duration('health-timeout', '', 0, 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)'),
    healthStartPeriod: fs.duration('health-start-period', '', 0, 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)'),
    healthStartInterval: fs.duration('health-start-interval', '', 0, 'Time between running the check during the start period (ms|s|m|h) (default 0s)'),
    noHealthcheck: fs.bool('no-healthcheck', '', false, 'Disable any container-specified HEALTHCHECK'),
    blkioWeight: fs.int('blkio-weight', '', 0, 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)', 'uint16'),
    blkioWeightDevice: fs.list('blkio-weight-device', '', 'Block IO weight (relative device weight)', validateWeightDevice, { bracketsWhenEmpty: true }),
    cidfile: fs.string('cidfile', '', '', 'Write the container ID to the file'),
    cpusetCpus: fs.string('cpuset-cpus', '', '', 'CPUs in which to allow execution (0-3, 0,1)'),
    cpusetMems: fs.string('cpuset-mems', '', '', 'MEMs in which to allow execution (0-3, 0,1)'),
    cpuCount: fs.int('cpu-count', '', 0, 'CPU count (Windows only)', 'int64'),
    cpuPercent: fs.int('cpu-percent', '', 0, 'CPU percent (Windows only)', 'int64'),
    cpuPeriod: fs.int('cpu-period', '', 0, 'Limit CPU CFS (Completely Fair Scheduler) period', 'int64'),
    cpuQuota: fs.int('cpu-quota', '', 0, 'Limit CPU CFS (Completely Fair Scheduler) quota', 'int64'),
    cpuRtPeriod: fs.int('cpu-rt-period', '', 0, 'Limit CPU real-time period in microseconds', 'int64'),
    cpuRtRuntime: fs.int('cpu-rt-runtime', '', 0, 'Limit CPU real-time runtime in microseconds', 'int64'),
    cpuShares: fs.int('cpu-shares', 'c', 0, 'CPU shares (relative weight)', 'int64'),
    cpus: fs.nanoCpus('cpus', '', 'Number of CPUs'),
    deviceReadBps: fs.list('device-read-bps', '', 'Limit read rate (bytes per second) from a device', validateThrottleBps, { bracketsWhenEmpty: true }),
    deviceReadIops: fs.list('device-read-iops', '', 'Limit read rate (IO per second) from a device', validateThrottleIops, { bracketsWhenEmpty: true }),
    deviceWriteBps: fs.list('device-write-bps', '', 'Limit write rate (bytes per second) to a device', validateThrottleBps, { bracketsWhenEmpty: true }),
    deviceWriteIops: fs.list('device-write-iops', '', 'Limit write rate (IO per second) to a device', validateThrottleIops, { bracketsWhenEmpty: true }),
    ioMaxBandwidth: fs.bytes('io-maxbandwidth', '', 'Maximum IO bandwidth limit for the system drive (Windows only)'),
    ioMaxIops: fs.int('io-maxiops', '', 0, 'Maximum IOps limit for the system drive (Windows only)', 'uint64'),
    kernelMemory: fs.bytes('kernel-memory', '', 'Kernel memory limit'),
    memory: fs.bytes('memory', 'm', 'Memory limit'),
    memoryReservation: fs.bytes('memory-reservation', '', 'Memory soft limit'),
    memorySwap: fs.bytes('memory-swap', '', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", { allowUnlimited: true }),
    memorySwappiness: fs.int('memory-swappiness', '', -1, 'Tune container memory swappiness (0 to 100)', 'int64'),
    oomKillDisable: fs.bool('oom-kill-disable', '', false, 'Disable OOM Killer'),
    oomScoreAdj: fs.int('oom-score-adj', '', 0, "Tune host's OOM preferences (-1000 to 1000)"),
    pidsLimit: fs.int('pids-limit', '', 0, 'Tune container pids limit (set -1 for unlimited)', 'int64'),
    cgroupParent: fs.string('cgroup-parent', '', '', 'Optional parent cgroup for the container'),
    ipc: fs.string('ipc', '', '', 'IPC mode to use'),
    isolation: fs.string('isolation', '', '', 'Container isolation technology'),
    pid: fs.string('pid', '', '', 'PID namespace to use'),
    shmSize: fs.bytes('shm-size', '', 'Size of /dev/shm'),
    uts: fs.string('uts', '', '', 'UTS namespace to use'),
    runtime: fs.string('runtime', '', '', 'Runtime to use for this container'),
    init: fs.bool('init', '', false, 'Run an init inside the container that forwards signals and reaps processes'),
    annotation: fs.map('annotation', '', 'Add an annotation to the container (passed through to the OCI runtime)'),
  };
  for (const [name, v] of [['gpus', '1.40'], ['stop-timeout', '1.25'], ['cgroupns', '1.41'], ['health-start-period', '1.29'], ['health-start-interval', '1.44'],
    ['cpu-rt-period', '1.25'], ['cpu-rt-runtime', '1.25'], ['cpus', '1.25'], ['init', '1.25'], ['annotation', '1.43']] as const) fs.annotate(name, 'version', v);
  for (const name of ['cpu-count', 'cpu-percent', 'io-maxbandwidth', 'io-maxiops']) fs.annotate(name, 'ostype', 'windows');
  fs.alias('dns-opt', f.dnsOption);
  fs.alias('net', f.network);
  fs.alias('net-alias', f.networkAlias);
  return f;
}

export type ContainerFlags = ReturnType<typeof containerFlags>;

/** The create request a set of flags describes, plus what the CLI itself must do. */
export interface ContainerCreatePlan {
  body: ContainerCreateRequest;
  cidfile: string;
}

function throttle(list: readonly string[]): ThrottleDevice[] {
  return list.map((s) => {
    const i = s.lastIndexOf(':');
    return { Path: s.slice(0, i), Rate: Number(s.slice(i + 1)) };
  });
}

function parseDevice(spec: string): DeviceMapping {
  const parts = spec.split(':');
  let perms = 'rwm';
  let src = parts[0]!;
  let dst = src;
  if (parts.length === 2) {
    if (/^[rwm]+$/.test(parts[1]!)) perms = parts[1]!;
    else dst = parts[1]!;
  } else if (parts.length === 3) {
    dst = parts[1]!;
    perms = parts[2]!;
  } else if (parts.length > 3) throw new Error(`invalid device specification: ${spec}`);
  if (!/^[rwm]+$/.test(perms)) throw new Error(`invalid device mode: ${perms}`);
  if (!src.startsWith('/')) throw new Error(`${spec} is not an absolute path`);
  if (!dst.startsWith('/')) throw new Error(`bad format for path: ${dst}`);
  src = src.replace(/\/+$/, '') || '/';
  return { PathOnHost: src, PathInContainer: dst, CgroupPermissions: perms };
}

export function parseRestart(p: string): { Name: string; MaximumRetryCount: number } {
  if (p === '') return { Name: '', MaximumRetryCount: 0 };
  const i = p.indexOf(':');
  const name = i < 0 ? p : p.slice(0, i);
  const v = i < 0 ? '' : p.slice(i + 1);
  if (i >= 0 && name === '') throw new Error('invalid restart policy format: no policy provided before colon');
  let count = 0;
  if (v !== '') {
    if (!/^[+-]?\d+$/.test(v)) throw new Error('invalid restart policy format: maximum retry count must be an integer');
    count = Number(v);
  }
  return { Name: name, MaximumRetryCount: count };
}

function parseSecurityOpts(list: readonly string[]): string[] {
  return list.map((opt) => {
    let i = opt.indexOf('=');
    if (i < 0 && opt !== 'no-new-privileges') i = opt.indexOf(':');
    const k = i < 0 ? opt : opt.slice(0, i);
    const v = i < 0 ? '' : opt.slice(i + 1);
    if ((i < 0 || v === '') && k !== 'no-new-privileges') throw new Error(`Invalid --security-opt: ${JSON.stringify(opt)}`);
    if (k === 'seccomp' && v !== 'unconfined' && v !== 'builtin') {
      try {
        return `seccomp=${JSON.stringify(JSON.parse(readFileSync(v, 'utf8')))}`;
      } catch (e) {
        throw new Error(`opening seccomp profile (${v}) failed: ${(e as Error).message}`);
      }
    }
    return opt;
  });
}

const NS_MODES = (v: string): boolean => v === '' || v === 'host' || v.startsWith('container:');

/** Parse one `--network` value: a name, or docker's advanced `name=...,alias=...` form. */
function parseNetwork(v: string): Attachment {
  if (!v.includes('=')) return { name: v, settings: {} };
  const settings: EndpointSettings = {};
  let name = '';
  for (const field of v.split(',')) {
    const eq = field.indexOf('=');
    if (eq < 0) throw new Error(`invalid field '${field}' must be a key=value pair`);
    const k = field.slice(0, eq).toLowerCase();
    const val = field.slice(eq + 1);
    if (k === 'name') name = val;
    else if (k === 'alias') settings.Aliases = [...(settings.Aliases ?? []), val];
    else if (k === 'ip') settings.IPAMConfig = { ...settings.IPAMConfig, IPv4Address: val };
    else if (k === 'ip6') settings.IPAMConfig = { ...settings.IPAMConfig, IPv6Address: val };
    else if (k === 'mac-address') settings.MacAddress = val;
    else if (k === 'link-local-ip') settings.IPAMConfig = { ...settings.IPAMConfig, LinkLocalIPs: [...(settings.IPAMConfig?.LinkLocalIPs ?? []), val] };
    else if (k === 'driver-opt') {
      const [dk, dv = ''] = val.split(/=(.*)/s);
      settings.DriverOpts = { ...settings.DriverOpts, [dk!]: dv };
    } else if (k === 'gw-priority') settings.GwPriority = Number(val);
    else throw new Error(`invalid field key ${k}`);
  }
  return { name, settings };
}

function isUserDefined(mode: string): boolean {
  return !['default', 'bridge', 'host', 'none'].includes(mode) && !mode.startsWith('container:');
}

interface Attachment {
  name: string;
  settings: EndpointSettings;
}

/** Fold the per-container network flags into the first network's endpoint (docker's applyContainerOptions). */
function applyContainerOptions(n: Attachment, f: ContainerFlags): void {
  const s = n.settings;
  if (s.Aliases?.length && f.networkAlias.get.length) throw new Error('conflicting options: cannot specify both --network-alias and per-network alias');
  if (s.Links?.length && f.link.get.length) throw new Error('conflicting options: cannot specify both --link and per-network links');
  if (s.IPAMConfig?.IPv4Address && f.ip.get) throw new Error('conflicting options: cannot specify both --ip and per-network IPv4 address');
  if (s.IPAMConfig?.IPv6Address && f.ip6.get) throw new Error('conflicting options: cannot specify both --ip6 and per-network IPv6 address');
  if (s.MacAddress && f.macAddress.get) throw new Error('conflicting options: cannot specify both --mac-address and per-network MAC address');
  if (s.IPAMConfig?.LinkLocalIPs?.length && f.linkLocalIp.get.length) throw new Error('conflicting options: cannot specify both --link-local-ip and per-network link-local IP addresses');
  if (f.networkAlias.get.length) s.Aliases = [...f.networkAlias.get];
  if (isUserDefined(n.name) && f.link.get.length) s.Links = [...f.link.get];
  if (f.ip.get) s.IPAMConfig = { ...s.IPAMConfig, IPv4Address: f.ip.get };
  if (f.ip6.get) s.IPAMConfig = { ...s.IPAMConfig, IPv6Address: f.ip6.get };
  if (f.macAddress.get) s.MacAddress = f.macAddress.get;
  if (f.linkLocalIp.get.length) s.IPAMConfig = { ...s.IPAMConfig, LinkLocalIPs: [...f.linkLocalIp.get] };
}

function endpointFor(n: Attachment): EndpointSettings {
  if (n.name.trim() === '') throw new Error('no name set for network');
  if (!isUserDefined(n.name)) {
    if (n.settings.Aliases?.length) throw new Error('network-scoped aliases are only supported for user-defined networks');
    if (n.settings.Links?.length) throw new Error('links are only supported for user-defined networks');
  }
  return { ...n.settings, GwPriority: n.settings.GwPriority ?? 0 };
}

/** docker's parseNetworkOpts: the EndpointsConfig of the create request. */
function networkEndpoints(nets: Attachment[], f: ContainerFlags): Record<string, EndpointSettings> {
  const endpoints: Record<string, EndpointSettings> = {};
  if (nets.length === 0) {
    const n = { name: 'default', settings: {} };
    applyContainerOptions(n, f);
    endpoints.default = endpointFor(n);
  }
  let userDefined = false;
  let builtin = false;
  nets.forEach((n, i) => {
    if (isUserDefined(n.name)) userDefined = true;
    else builtin = true;
    if (i === 0) applyContainerOptions(n, f);
    const ep = endpointFor(n);
    if (n.name in endpoints) throw new Error(`network ${JSON.stringify(n.name)} is specified multiple times`);
    const empty = Object.entries(ep).every(([k, v]) => (k === 'GwPriority' ? v === 0 : v === undefined));
    if (i === 0 && nets.length === 1 && empty) return;
    endpoints[n.name] = ep;
  });
  if (userDefined && builtin) throw new Error('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
  return endpoints;
}

/**
 * Turn the flags, image and command into the body of POST /containers/create, checking
 * what docker's CLI checks (its opts.go parse) with its error texts.
 */
export function buildCreatePlan(f: ContainerFlags, fs: FlagSet, image: string, cmd: string[]): ContainerCreatePlan {
  let attachStdin = f.attach.get.includes('stdin');
  let attachStdout = f.attach.get.includes('stdout');
  let attachStderr = f.attach.get.includes('stderr');
  if (f.macAddress.get && !/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(f.macAddress.get)) {
    throw new Error(`${f.macAddress.get} is not a valid mac address`);
  }
  if (f.interactive.get) attachStdin = true;
  if (f.attach.get.length === 0) {
    attachStdout = true;
    attachStderr = true;
  }
  const swappiness = f.memorySwappiness.get;
  if (swappiness !== -1 && (swappiness < 0 || swappiness > 100)) throw new Error(`invalid value: ${swappiness}. Valid memory swappiness range is 0-100`);

  const binds: string[] = [];
  const volumes: Record<string, Record<string, never>> = {};
  for (const v of f.volume.get) {
    const p = parseVolumeSpec(v);
    if (p.bind) binds.push(p.bind);
    else if (p.volume) volumes[p.volume] = {};
  }
  const tmpfs: Record<string, string> = {};
  for (const t of f.tmpfs.get) {
    const i = t.indexOf(':');
    tmpfs[i < 0 ? t : t.slice(0, i)] = i < 0 ? '' : t.slice(i + 1);
  }
  let entrypoint: string[] | null = null;
  if (f.entrypoint.get !== '') entrypoint = [f.entrypoint.get];
  else if (fs.changed('entrypoint')) entrypoint = [''];

  const { exposed, bindings } = parsePortSpecs(toStandardPortNotation(f.publish.get));
  for (const e of f.expose.get) {
    if (e.includes(':')) throw new Error(`invalid port format for --expose: ${e}`);
    const [proto, port] = splitProtoPort(e);
    let start: number;
    let end: number;
    try {
      [start, end] = parsePortRange(port);
    } catch (err) {
      throw new Error(`invalid range format for --expose: ${e}, error: ${(err as Error).message}`);
    }
    for (let i = start; i <= end; i++) exposed[`${i}/${proto}`] ??= {};
  }
  const devices = f.device.get.map(parseDevice);
  const env = readKvStrings(f.envFile.get, f.env.get, { env: true });
  const labels = readKvStrings(f.labelFile.get, f.label.get, { env: false });
  if (!NS_MODES(f.pid.get)) throw new Error('--pid: invalid PID mode');
  if (!NS_MODES(f.uts.get)) throw new Error('--uts: invalid UTS mode');
  if (!['', 'host'].includes(f.userns.get)) throw new Error('--userns: invalid USER mode');
  if (!['', 'host', 'private'].includes(f.cgroupns.get)) throw new Error('--cgroupns: invalid CGROUP mode');
  const restart = parseRestart(f.restart.get);
  const logOpts = kvToMap(f.logOpt.get);
  if (f.logDriver.get === 'none' && f.logOpt.get.length > 0) throw new Error(`invalid logging opts for driver ${f.logDriver.get}`);
  let securityOpt = parseSecurityOpts(f.securityOpt.get);
  let maskedPaths: string[] | null = null;
  let readonlyPaths: string[] | null = null;
  securityOpt = securityOpt.filter((o) => {
    if (o === 'systempaths=unconfined') {
      maskedPaths = [];
      readonlyPaths = [];
      return false;
    }
    return true;
  });
  const storageOpt: Record<string, string> = {};
  for (const o of f.storageOpt.get) {
    const i = o.indexOf('=');
    if (i < 0) throw new Error('invalid storage option');
    storageOpt[o.slice(0, i)] = o.slice(i + 1);
  }

  let healthcheck: ContainerCreateRequest['Healthcheck'];
  const haveHealth = f.healthCmd.get !== '' || f.healthInterval.get !== 0 || f.healthTimeout.get !== 0 || f.healthStartPeriod.get !== 0 || f.healthRetries.get !== 0 || f.healthStartInterval.get !== 0;
  if (f.noHealthcheck.get) {
    if (haveHealth) throw new Error('--no-healthcheck conflicts with --health-* options');
    healthcheck = { Test: ['NONE'] };
  } else if (haveHealth) {
    for (const [n, v] of [['interval', f.healthInterval.get], ['timeout', f.healthTimeout.get], ['retries', f.healthRetries.get], ['start-period', f.healthStartPeriod.get], ['start-interval', f.healthStartInterval.get]] as const) {
      if (v < 0) throw new Error(`--health-${n} cannot be negative`);
    }
    // Zero values are left out, as Go's omitempty does.
    const nonZero = Object.entries({
      Interval: f.healthInterval.get * 1e6, Timeout: f.healthTimeout.get * 1e6, StartPeriod: f.healthStartPeriod.get * 1e6,
      StartInterval: f.healthStartInterval.get * 1e6, Retries: f.healthRetries.get,
    }).filter(([, v]) => v !== 0);
    healthcheck = { ...(f.healthCmd.get ? { Test: ['CMD-SHELL', f.healthCmd.get] } : {}), ...Object.fromEntries(nonZero) };
  }
  const gpus = f.gpus.get.length > 0 ? f.gpus.get.map((g) => ({ Driver: '', Count: g === 'all' ? -1 : Number(/count=(\d+)/.exec(g)?.[1] ?? g) || 0, DeviceIDs: null as unknown as string[], Capabilities: [['gpu']], Options: {} })) : null;
  const mounts: Mount[] = f.mount.get.map(parseMountSpec);

  const nets = f.network.get.map(parseNetwork);
  const endpoints = networkEndpoints(nets, f);
  const networkMode = nets[0]?.name || 'default';

  const hostConfig: HostConfig = {
    Binds: binds.length ? binds : null as unknown as string[],
    ContainerIDFile: f.cidfile.get,
    LogConfig: { Type: f.logDriver.get as never, Config: logOpts },
    NetworkMode: networkMode,
    PortBindings: bindings,
    RestartPolicy: restart as HostConfig['RestartPolicy'],
    AutoRemove: f.rm.get,
    VolumeDriver: f.volumeDriver.get,
    VolumesFrom: f.volumesFrom.get.length ? f.volumesFrom.get : null as unknown as string[],
    ConsoleSize: [0, 0],
    ...(f.annotation.get.size ? { Annotations: Object.fromEntries(f.annotation.get) } : {}),
    CapAdd: f.capAdd.get.length ? f.capAdd.get : null as unknown as string[],
    CapDrop: f.capDrop.get.length ? f.capDrop.get : null as unknown as string[],
    CgroupnsMode: f.cgroupns.get as never,
    Dns: f.dns.get,
    DnsOptions: f.dnsOption.get,
    DnsSearch: f.dnsSearch.get,
    ExtraHosts: f.addHost.get.length ? f.addHost.get : null as unknown as string[],
    GroupAdd: f.groupAdd.get.length ? f.groupAdd.get : null as unknown as string[],
    IpcMode: f.ipc.get,
    Cgroup: '',
    Links: f.link.get.length ? f.link.get : null as unknown as string[],
    OomScoreAdj: f.oomScoreAdj.get,
    PidMode: f.pid.get,
    Privileged: f.privileged.get,
    PublishAllPorts: f.publishAll.get,
    ReadonlyRootfs: f.readOnly.get,
    SecurityOpt: securityOpt.length ? securityOpt : null as unknown as string[],
    ...(Object.keys(storageOpt).length ? { StorageOpt: storageOpt } : {}),
    ...(Object.keys(tmpfs).length ? { Tmpfs: tmpfs } : {}),
    UTSMode: f.uts.get,
    UsernsMode: f.userns.get,
    ShmSize: f.shmSize.get,
    ...(f.sysctl.get.size ? { Sysctls: Object.fromEntries(f.sysctl.get) } : {}),
    ...(f.runtime.get ? { Runtime: f.runtime.get } : {}),
    Isolation: f.isolation.get as never,
    CpuShares: f.cpuShares.get,
    Memory: f.memory.get,
    NanoCpus: f.cpus.get,
    CgroupParent: f.cgroupParent.get,
    BlkioWeight: f.blkioWeight.get,
    BlkioWeightDevice: f.blkioWeightDevice.get.map((s) => {
      const i = s.lastIndexOf(':');
      return { Path: s.slice(0, i), Weight: Number(s.slice(i + 1)) };
    }),
    BlkioDeviceReadBps: throttle(f.deviceReadBps.get),
    BlkioDeviceWriteBps: throttle(f.deviceWriteBps.get),
    BlkioDeviceReadIOps: throttle(f.deviceReadIops.get),
    BlkioDeviceWriteIOps: throttle(f.deviceWriteIops.get),
    CpuPeriod: f.cpuPeriod.get,
    CpuQuota: f.cpuQuota.get,
    CpuRealtimePeriod: f.cpuRtPeriod.get,
    CpuRealtimeRuntime: f.cpuRtRuntime.get,
    CpusetCpus: f.cpusetCpus.get,
    CpusetMems: f.cpusetMems.get,
    Devices: devices,
    DeviceCgroupRules: f.deviceCgroupRule.get.length ? f.deviceCgroupRule.get : null as unknown as string[],
    DeviceRequests: gpus as HostConfig['DeviceRequests'],
    MemoryReservation: f.memoryReservation.get,
    MemorySwap: f.memorySwap.get,
    MemorySwappiness: swappiness,
    OomKillDisable: f.oomKillDisable.get,
    PidsLimit: f.pidsLimit.get,
    Ulimits: f.ulimit.get as Ulimit[],
    CpuCount: f.cpuCount.get,
    CpuPercent: f.cpuPercent.get,
    IOMaximumIOps: f.ioMaxIops.get,
    IOMaximumBandwidth: f.ioMaxBandwidth.get,
    ...(mounts.length ? { Mounts: mounts } : {}),
    MaskedPaths: maskedPaths,
    ReadonlyPaths: readonlyPaths,
  } as unknown as HostConfig;
  if (f.rm.get && restart.Name !== '' && restart.Name !== 'no') throw new Error('conflicting options: cannot specify both --restart and --rm');
  if (fs.changed('init')) hostConfig.Init = f.init.get;
  if (fs.changed('kernel-memory')) (hostConfig as Record<string, unknown>).KernelMemory = f.kernelMemory.get;

  const body: ContainerCreateRequest = {
    Hostname: f.hostname.get,
    Domainname: f.domainname.get,
    User: f.user.get,
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
    ...(Object.keys(exposed).length ? { ExposedPorts: exposed } : {}),
    Tty: f.tty.get,
    OpenStdin: f.interactive.get,
    StdinOnce: f.interactive.get && attachStdin,
    Env: env.length ? env : null as unknown as string[],
    Cmd: cmd.length ? cmd : null as unknown as string[],
    Image: image,
    Volumes: volumes,
    WorkingDir: f.workdir.get,
    Entrypoint: entrypoint as unknown as string[],
    OnBuild: null,
    Labels: kvToMap(labels),
    ...(f.stopSignal.get ? { StopSignal: f.stopSignal.get } : {}),
    ...(fs.changed('stop-timeout') ? { StopTimeout: f.stopTimeout.get } : {}),
    ...(healthcheck ? { Healthcheck: healthcheck } : {}),
    ...(f.macAddress.get ? { MacAddress: f.macAddress.get } : {}),
    HostConfig: hostConfig,
    NetworkingConfig: { EndpointsConfig: endpoints },
  };
  return { body, cidfile: f.cidfile.get };
}

