import { humanDuration } from '../../base/index.js';
import { hasProcess, type ContainerRecord } from '../../container/index.js';
import type { ContainerInspectResponse, ContainerSummary, EndpointSettings, HostConfig as WireHostConfig, ContainerCreateConfig as WireConfig } from '../types/index.js';

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
  const mode = rec.hostConfig.NetworkMode;
  const ep = rec.network;
  const live = hasProcess(rec.state) && ep;
  return {
    [mode]: {
      IPAMConfig: null, Links: null, Aliases: null, MacAddress: live ? ep.macAddress : '',
      DriverOpts: null, GwPriority: 0, NetworkID: ep?.networkId ?? '', EndpointID: live ? ep.endpointId : '',
      Gateway: live ? ep.gateway : '', IPAddress: live ? ep.ipAddress : '', IPPrefixLen: live ? ep.ipPrefixLen : 0,
      IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: null,
    } as unknown as EndpointSettings,
  };
}

export function toContainerSummary(rec: ContainerRecord, opts: { imageName: string; sizeRw?: number; sizeRootFs?: number }): ContainerSummary {
  return {
    Id: rec.id,
    Names: [`/${rec.name}`],
    Image: opts.imageName,
    ImageID: rec.imageId,
    Command: commandString(rec),
    Created: Math.floor(Date.parse(rec.created) / 1000),
    Ports: [],
    ...(opts.sizeRw !== undefined ? { SizeRw: opts.sizeRw, SizeRootFs: opts.sizeRootFs ?? 0 } : {}),
    Labels: rec.config.Labels ?? {},
    State: rec.state.status,
    Status: statusText(rec),
    HostConfig: { NetworkMode: rec.hostConfig.NetworkMode },
    NetworkSettings: { Networks: endpoints(rec) },
    Mounts: [],
  };
}

export function toContainerInspect(rec: ContainerRecord, paths: { root: string; hostname: string; hosts: string; resolvConf: string; log: string; upper: string; sizeRw?: number; sizeRootFs?: number }): ContainerInspectResponse {
  const s = rec.state;
  const ep = rec.network;
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
    HostConfig: rec.hostConfig as unknown as WireHostConfig,
    GraphDriver: { Name: 'overlay2', Data: { UpperDir: paths.upper, WorkDir: paths.upper.replace(/upper$/, 'work'), MergedDir: paths.root } },
    ...(paths.sizeRw !== undefined ? { SizeRw: paths.sizeRw, SizeRootFs: paths.sizeRootFs ?? 0 } : {}),
    Mounts: [],
    Config: rec.config as unknown as WireConfig,
    NetworkSettings: {
      SandboxID: live ? rec.id : '',
      SandboxKey: '',
      Ports: {},
      Bridge: '', HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0,
      SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
      EndpointID: live ? ep.endpointId : '', Gateway: live ? ep.gateway : '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
      IPAddress: live ? ep.ipAddress : '', IPPrefixLen: live ? ep.ipPrefixLen : 0, IPv6Gateway: '', MacAddress: live ? ep.macAddress : '',
      Networks: endpoints(rec),
    },
  };
}
