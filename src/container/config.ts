import type { Attachment } from '../network/index.js';
import type { MountDeclaration } from './mounts.js';

/**
 * The user's declaration of a container, kept in Docker's own shape (as dockerd keeps it in
 * config.v2.json/hostconfig.json) because `inspect` must hand it back field for field.
 * See docs/decisions/0002-container-config-shape.md.
 */
export interface ContainerDeclaration {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, object>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[];
  Cmd: string[] | null;
  Entrypoint: string[] | null;
  Image: string;
  Volumes?: Record<string, object> | null;
  WorkingDir: string;
  Labels: Record<string, string>;
  StopSignal?: string;
  StopTimeout?: number;
  Healthcheck?: unknown;
  OnBuild?: string[] | null;
  ArgsEscaped?: boolean;
  NetworkDisabled?: boolean;
  /** The MAC address asked for the container's endpoint (API < 1.44 sends it here). */
  MacAddress?: string;
  Shell?: string[];
}

/** One network's EndpointSettings as a create sends them (NetworkingConfig.EndpointsConfig[name]). */
export interface EndpointSettings {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] | null } | null;
  Links?: string[] | null;
  Aliases?: string[] | null;
  MacAddress?: string;
  DriverOpts?: Record<string, string> | null;
  [key: string]: unknown;
}

/** A create's NetworkingConfig, kept in Docker's shape with the record as dockerd keeps it. */
export interface NetworkingConfig {
  EndpointsConfig: Record<string, EndpointSettings>;
}

/** One of HostConfig.Mounts (`--mount`), in Docker's shape. */
export interface HostMount {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean; ReadOnlyNonRecursive?: boolean; ReadOnlyForceRecursive?: boolean } | null;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> | null; Subpath?: string; DriverConfig?: { Name?: string; Options?: Record<string, string> | null } | null } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number; Options?: string[][] | null } | null;
}

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'on-failure' | 'unless-stopped';
  MaximumRetryCount: number;
}

export interface Ulimit { Name: string; Soft: number; Hard: number }

export interface HostConfig {
  Binds?: string[] | null;
  Mounts?: HostMount[] | null;
  /** `--tmpfs`: target → mount(8) options. */
  Tmpfs?: Record<string, string> | null;
  NetworkMode: string;
  RestartPolicy: RestartPolicy;
  AutoRemove: boolean;
  Privileged: boolean;
  ReadonlyRootfs: boolean;
  Init?: boolean | null;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  SecurityOpt?: string[] | null;
  ShmSize?: number;
  Memory: number;
  MemorySwap: number;
  MemoryReservation?: number;
  /** Accepted and discarded with dockerd's warning: the kernel deprecated kmem limits. */
  KernelMemory?: number;
  BlkioWeight?: number;
  NanoCpus: number;
  CpuShares: number;
  CpuPeriod: number;
  CpuQuota: number;
  CpusetCpus: string;
  CpusetMems: string;
  PidsLimit?: number | null;
  Ulimits?: Ulimit[] | null;
  ExtraHosts?: string[] | null;
  Dns?: string[] | null;
  DnsOptions?: string[] | null;
  DnsSearch?: string[] | null;
  LogConfig?: { Type: string; Config: Record<string, string> };
  PortBindings?: Record<string, Array<{ HostIp: string; HostPort: string }>> | null;
  PublishAllPorts?: boolean;
  /** Legacy links, stored as dockerd stores them: "/source:/receiver/alias". */
  Links?: string[] | null;
  Runtime?: string;
  [key: string]: unknown;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerState {
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  error: string;
  oomKilled: boolean;
  startedAt: string;
  finishedAt: string;
}

/** A container's endpoint as its record keeps it (the network service's attachment). */
export type NetworkEndpoint = Omit<Attachment, 'netnsPath' | 'bridge'>;

/** One health probe's result, as State.Health.Log lists them. */
export interface HealthResult { start: string; end: string; exitCode: number; output: string }

/** A container's health (State.Health): kept with the record, so a restarted daemon knows it. */
export interface HealthState {
  status: 'starting' | 'healthy' | 'unhealthy';
  failingStreak: number;
  /** The last five results, oldest first. */
  log: HealthResult[];
}

/** berth's record of a container: the declaration plus the state the engine keeps. */
export interface ContainerRecord {
  id: string;
  name: string;
  created: string;
  imageId: string;
  path: string;
  args: string[];
  config: ContainerDeclaration;
  hostConfig: HostConfig;
  state: ContainerState;
  restartCount: number;
  /** Set by stop/kill from a user, cleared by start: unless-stopped and restart decisions read it. */
  manuallyStopped: boolean;
  runtime: string;
  network?: NetworkEndpoint;
  /** Every endpoint while it runs, by network name (the first is `network`). */
  networks?: Record<string, NetworkEndpoint>;
  /** The endpoints the create asked for, by network name (absent when it asked for none). */
  networkingConfig?: NetworkingConfig;
  /** Present once a container with a health check has started. */
  health?: HealthState;
  /**
   * The mounts create decided (Binds, Mounts, Tmpfs, --volumes-from and the image's VOLUMEs,
   * volumes named); absent in records older than volumes, whose mounts HostConfig gives.
   */
  mountPoints?: MountDeclaration[];
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The container has a process: running or paused. */
export function hasProcess(s: ContainerState): boolean {
  return s.status === 'running' || s.status === 'paused';
}

/** Up in Docker's sense: it has a process, or its restart policy is about to give it one. */
export function isUp(s: ContainerState): boolean {
  return hasProcess(s) || s.status === 'restarting';
}
