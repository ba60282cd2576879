import { humanDuration } from '../../base/index.js';
import { MASKED_PATHS, READONLY_PATHS, hasProcess, parseMounts, type ContainerRecord } from '../../container/index.js';
import { compareVersions } from '../server/index.js';
import type { ContainerInspectResponse, ContainerSummary, MountPoint, PortSummary, EndpointSettings, HostConfig as WireHostConfig, ContainerCreateConfig as WireConfig } from '../types/index.js';

/** The "Up 3 seconds" / "Exited (0) 2 minutes ago" text of `docker ps`. */
export function statusText(rec: ContainerRecord, now = Date.now()): string {
  const s = rec.state;
  const ago = (iso: string): string => humanDuration(now - Date.parse(iso));
  switch (s.status) {
    case 'running': return `Up ${ago(s.startedAt)}${rec.health ? ` (${rec.health.status === 'starting' ? 'health: starting' : rec.health.status})` : ''}`;
    case 'paused': return `Up ${ago(s.startedAt)} (Paused)`;
    case 'restarting': return `Restarting (${s.exitCode}) ${ago(s.finishedAt)} ago`;
    case 'removing': return 'Removal In Progress';
    case 'dead': return 'Dead';
    case 'created': return 'Created';
    case 'exited': return `Exited (${s.exitCode}) ${ago(s.finishedAt)} ago`;
  }
}

/** State.Health in Docker's shape (times as RFC 3339 with nanoseconds, as Go prints them). */
function toHealth(h: NonNullable<ContainerRecord['health']>): NonNullable<NonNullable<ContainerInspectResponse['State']>['Health']> {
  return {
    Status: h.status, FailingStreak: h.failingStreak,
    Log: h.log.map((r) => ({ Start: r.start, End: r.end, ExitCode: r.exitCode, Output: r.output })),
  };
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

export function toContainerSummary(rec: ContainerRecord, opts: { imageName: string; sizeRw?: number; sizeRootFs?: number; linkNames?: string[] }): ContainerSummary {
  return {
    Id: rec.id,
    Names: [`/${rec.name}`, ...(opts.linkNames ?? [])],
    Image: opts.imageName,
    ImageID: rec.imageId,
    Command: commandString(rec),
    Created: Math.floor(Date.parse(rec.created) / 1000),
    Ports: portSummaries(rec),
    ...(opts.sizeRw !== undefined ? { SizeRw: opts.sizeRw, SizeRootFs: opts.sizeRootFs ?? 0 } : {}),
    Labels: rec.config.Labels ?? {},
    State: rec.state.status,
    Status: statusText(rec),
    HostConfig: { NetworkMode: rec.hostConfig.NetworkMode },
    NetworkSettings: { Networks: endpoints(rec) },
    Mounts: toMountPoints(rec),
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

/** NetworkSettings.Ports while the container runs: every exposed or published port, its host bindings or null. */
function portMap(rec: ContainerRecord): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  if (!hasProcess(rec.state) || rec.hostConfig.NetworkMode === 'host' || rec.hostConfig.NetworkMode === 'none') return out;
  for (const p of Object.keys(rec.config.ExposedPorts ?? {})) out[p.includes('/') ? p : `${p}/tcp`] = null;
  for (const m of rec.network?.ports ?? []) {
    for (let i = 0; i < m.range; i++) {
      const key = `${m.containerPort + i}/${m.protocol}`;
      (out[key] ??= []).push({ HostIp: m.hostIp, HostPort: String(m.hostPort + i) });
    }
  }
  return out;
}

/** The Ports of `GET /containers/json`: one entry per binding, and one without IP per unpublished port. */
function portSummaries(rec: ContainerRecord): PortSummary[] {
  return Object.entries(portMap(rec)).flatMap(([key, list]) => {
    const [port, type] = key.split('/');
    const base = { PrivatePort: Number(port), Type: type as PortSummary['Type'] };
    return list?.length ? list.map((b) => ({ IP: b.HostIp, ...base, PublicPort: Number(b.HostPort) })) : [base];
  });
}

export function toContainerInspect(rec: ContainerRecord, paths: { root: string; hostname: string; hosts: string; resolvConf: string; log: string; upper: string; work: string; sizeRw?: number; sizeRootFs?: number; execIds?: string[] }, version = '1.47'): ContainerInspectResponse {
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
      ...(rec.health ? { Health: toHealth(rec.health) } : {}),
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
    ExecIDs: paths.execIds?.length ? paths.execIds : null,
    HostConfig: fullHostConfig(rec, version) as unknown as WireHostConfig,
    GraphDriver: { Name: 'overlay2', Data: { UpperDir: paths.upper, WorkDir: paths.work, MergedDir: paths.root } },
    ...(paths.sizeRw !== undefined ? { SizeRw: paths.sizeRw, SizeRootFs: paths.sizeRootFs ?? 0 } : {}),
    Mounts: toMountPoints(rec),
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

/** The container's mounts as dockerd lists them (inspect's and ps's Mounts); `--tmpfs` mounts are not among them. */
export function toMountPoints(rec: ContainerRecord): MountPoint[] {
  const out: MountPoint[] = [];
  for (const m of rec.mountPoints ?? parseMounts(rec.hostConfig)) {
    if (m.type === 'bind') {
      out.push({ Type: 'bind', Source: m.source, Destination: m.destination, Mode: m.mode ?? '', RW: !m.readOnly, Propagation: m.propagation ?? 'rprivate' });
    } else if (m.type === 'volume') {
      out.push({ Type: 'volume', Name: m.name, Source: m.source ?? '', Destination: m.destination, Driver: m.driver ?? 'local', Mode: m.mode ?? '', RW: !m.readOnly, Propagation: '' });
    } else if (m.listed) {
      out.push({ Type: 'tmpfs', Source: '', Destination: m.destination, Mode: '', RW: !m.readOnly, Propagation: '' });
    }
  }
  return out;
}
