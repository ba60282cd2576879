import type { Readable } from 'node:stream';
import type { EngineEvent } from '../base/index.js';
import type { CgroupSample, NetDevCounters, ProcessStatus, SystemCpu } from '../host/index.js';
import type { EndpointConfig, LinuxResources, NetworkMode, RuntimeSpec } from '../oci/index.js';
import type { SpecHostFacts, SpecInput, UserMount } from '../runtime/index.js';
import type { LinkOpening, PortRequest } from '../network/index.js';
import type { NetworkEndpoint } from './config.js';

/** What the container service needs of the image store. */
export interface ImageLookup {
  get(ref: string): { id: string; config: { config?: ImageRunConfig } };
}

export interface ImageRunConfig {
  User?: string;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  ExposedPorts?: Record<string, object> | null;
  Volumes?: Record<string, object> | null;
  Healthcheck?: unknown;
  OnBuild?: string[] | null;
  Shell?: string[] | null;
  ArgsEscaped?: boolean;
}

/** One path the rw layer added (A), changed (C) or deleted (D), absolute in the container. */
export interface RootfsChange { path: string; kind: 'A' | 'C' | 'D' }

/** A container's root filesystem: its rw layer over the image's layers. */
export interface RootfsProvider {
  create(opts: { id: string; imageId: string }): Promise<void>;
  mount(opts: { id: string; imageId: string }): Promise<string>;
  unmount(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  /** Bytes in the rw layer. */
  sizeRw(id: string): Promise<number>;
  /** The rw layer's changes over the image (`docker diff`). */
  changes(opts: { id: string; imageId: string; signal?: AbortSignal }): Promise<RootfsChange[]>;
  /** The rw layer as a layer tar with OCI whiteouts (commit, the builder). */
  diffTar(id: string, opts?: { signal?: AbortSignal }): Readable;
  /** A tar stream of the whole (mounted) rootfs, for export. */
  exportTar(rootfs: string): Readable;
}

export interface NetworkAttacher {
  /**
   * Resolves once the namespace exists and the endpoint is known; `ready` settles when the
   * wiring is done, so the runtime can create the container meanwhile.
   */
  attach(opts: {
    containerId: string; containerName: string; mode: NetworkMode; macAddress?: string; config?: EndpointConfig;
    /** In bridge mode: a user-defined network's name or id (the default bridge when absent). */
    network?: string;
    /** More networks to join before `ready` (a create's other EndpointsConfig entries). */
    more?: { network: string; config?: EndpointConfig }[];
    dnsServers?: string[];
    /** Published ports to forward to the endpoint (the default bridge and user bridges). */
    ports?: PortRequest[];
  }): Promise<{ netnsPath?: string; endpoint: NetworkEndpoint; ready: Promise<void> }>;
  detach(containerId: string): Promise<void>;
  /** The process ended: its published ports are free again (before waiters learn of the exit, as dockerd). */
  releasePorts(containerId: string): Promise<void>;
  /** Under --icc=false, let the container reach its links' ports (a no-op otherwise). */
  allowLinks(containerId: string, openings: LinkOpening[]): Promise<void>;
  hostsFile(opts: { hostname: string; domainname?: string; ip?: string; extraHosts?: string[]; mode: NetworkMode }): string;
  resolvConf(opts: { mode: NetworkMode; dns?: string[]; dnsSearch?: string[]; dnsOptions?: string[]; containerId?: string }): string;
  /** Every endpoint the container has now, by network name. */
  attachments(containerId: string): { networkName: string; attachment: NetworkEndpoint }[];
  /** The namespace of a container that has one (`--network container:<it>`). */
  sandboxPath(containerId: string): string | undefined;
  /** A network's id and name (NotFoundError `network x not found`). */
  network(idOrName: string): { id: string; name: string; driver: string };
  connect(opts: { containerId: string; containerName: string; network: string; config?: EndpointConfig; dnsServers?: string[] }): Promise<NetworkEndpoint>;
  disconnect(opts: { containerId: string; network: string; force?: boolean }): Promise<void>;
  /** NotFoundError for an unknown network name. */
  validateMode(mode: string): NetworkMode;
}

export interface AttachStreams {
  stdout: Readable;
  stderr: Readable;
  stdin?: NodeJS.WritableStream;
  close(): void;
}

/**
 * A process to run in a running container (docker exec); see docs/decisions/0011-exec-path.md.
 * Its argv, environment (the whole of it: the container's merged with the exec's), working
 * directory, user, TTY and size, and --privileged, as the container's own process has them.
 */
export type ExecRequest = Pick<SpecInput, 'args' | 'env' | 'cwd' | 'user' | 'tty' | 'consoleSize' | 'privileged'> & {
  /** Names the exec's files (attach socket, exit file, log) under the container's runtime directory. */
  execId: string;
  /** Keep a stdin pipe the attach socket writes to (exec -i). */
  stdin: boolean;
  /** Attach before the process starts (its streams from the first byte); false for a detached exec. */
  attach: boolean;
  /** A health probe: may run without the runtime (stdout and stderr then arrive together on stdout). */
  probe?: boolean;
};

/** A running exec: its streams, its terminal, and its exit code once it ends. */
export interface ExecSession {
  pid: number;
  /** Absent for a detached exec. */
  streams: AttachStreams | undefined;
  resize(size: { height: number; width: number }): Promise<void>;
  /** SIGKILL the process (a health probe past its timeout). */
  kill(): Promise<void>;
  /** Settles with the process's exit code once conmon has reaped it. */
  exited: Promise<{ exitCode: number }>;
}

/** One process in a container, as `docker top` lists it (pids as the host sees them). */
export type ContainerProcess = ProcessStatus;

/**
 * A container's counters at one moment, what `docker stats` computes its figures from: its
 * cgroup's, the host's CPU time (for the CPU share) and its network namespace's interfaces.
 */
export type CgroupStats = CgroupSample & { read: Date; system: SystemCpu; networks: Record<string, NetDevCounters> };

/** conmon + runc/crun, as the container service drives them. */
export interface ContainerRuntime {
  /** The default runtime's name. */
  readonly name: string;
  /** Every runtime a container may name (HostConfig.Runtime), as /info lists them. */
  readonly names: readonly string[];
  /** Write the bundle and spawn conmon (runc create) with `runtime` (default: `name`). Resolves with the container's pid. */
  create(opts: { id: string; name: string; spec: RuntimeSpec; logPath: string; tty: boolean; stdin: boolean; stdinOnce: boolean; runtime?: string; restoreFrom?: string }): Promise<{ pid: number }>;
  /**
   * Dump the container's processes with criu (`<runtime> checkpoint`) into `imagePath`; they end
   * unless `leaveRunning`. A create with `restoreFrom` such a directory restores them, running.
   */
  checkpoint(id: string, opts: { imagePath: string; leaveRunning: boolean }): Promise<void>;
  start(id: string): Promise<void>;
  kill(id: string, signal: string): Promise<void>;
  delete(id: string): Promise<void>;
  /** oomKilled: the kernel's OOM killer acted in the container's cgroup during this run. */
  exitStatus(id: string): Promise<{ exitCode: number; finishedAt: Date; oomKilled?: boolean } | undefined>;
  watchExits(onExit: (id: string) => void): () => void;
  isAlive(id: string): Promise<boolean>;
  /**
   * The runtime's own view of the container (runc/crun state), whatever berth's record says;
   * undefined when the runtime has no such container. `startedAt`: when the runtime made its process.
   */
  state(id: string): Promise<{ status: 'creating' | 'created' | 'running' | 'paused' | 'stopped'; pid: number; startedAt?: Date } | undefined>;
  attach(id: string, opts: { stdin: boolean }): Promise<AttachStreams>;
  resize(id: string, size: { height: number; width: number }): Promise<void>;
  /** Run a process in the running container (conmon --exec); the runtime's refusal in dockerd's words. */
  exec(id: string, req: ExecRequest): Promise<ExecSession>;
  /** Freeze every process of the container (the cgroup freezer). */
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Change the running container's cgroup limits (docker update). */
  update(id: string, resources: LinuxResources): Promise<void>;
  /** The container's counters; ConflictError when it does not run. */
  stats(id: string, opts?: { cpuOnly?: boolean }): Promise<CgroupStats>;
  /** Every process in the container's cgroup. */
  processes(id: string): Promise<ContainerProcess[]>;
}

export interface SpecFactory {
  resolveUser(rootfs: string, user: string): Promise<{ uid: number; gid: number; additionalGids: number[]; home: string }>;
  /** Make the WorkingDir inside the rootfs (Docker's SetupWorkingDirectory). */
  setupWorkingDir(rootfs: string, workingDir: string): void;
  buildSpec(input: SpecRequest): RuntimeSpec;
}

/** The container-level facts the spec needs; the factory adds the host's (caps, limits, devices). */
export type SpecRequest = Omit<SpecInput, 'namespaces' | 'cgroupsPath' | 'extraMounts' | keyof SpecHostFacts> & {
  network: SpecInput['namespaces']['network'];
  /** PID, IPC, UTS and cgroup namespaces shared or made (--pid, --ipc, --uts, --cgroupns); absent: all new but cgroup. */
  sharing?: Omit<SpecInput['namespaces'], 'network'>;
  /** The user's mounts (binds, resolved volumes, tmpfs); the factory makes them OCI mounts. */
  mounts: UserMount[];
};

export interface LogEntry { stream: 'stdout' | 'stderr'; time: string; line: Buffer }

export interface LogReader {
  read(path: string, opts: { follow: boolean; since?: Date; until?: Date; tail?: number; stdout: boolean; stderr: boolean; signal?: AbortSignal; stopWhen?: Promise<void> }): AsyncIterable<LogEntry>;
}

/** What the container service needs of the volume service. */
export interface VolumeProvider {
  /** Create the volume, or return the existing one of that name; `mountpoint` is its data directory. */
  create(req: { name?: string; driver?: string; driverOpts?: Record<string, string> | null; labels?: Record<string, string> | null; anonymous?: boolean }): Promise<{ name: string; driver: string; mountpoint: string }>;
  /** Make the volume's data reachable for the container; the host path to bind. */
  mount(name: string, use: { containerId: string; destination: string; readOnly: boolean; propagation?: string }): Promise<string>;
  unmount(name: string, use: { containerId: string }): Promise<void>;
  /** Count a mount a container made before the daemon restarted (no event, nothing mounted again). */
  adopt(name: string): void;
  /** Copy the image's directory at `path` (in the mounted rootfs) into the volume if it is empty. */
  copyUp(name: string, from: { rootfs: string; path: string }): Promise<boolean>;
  /** Remove the volume; a ConflictError while another container uses it. */
  remove(name: string): Promise<void>;
}

/** Where the service reports its containers' transitions (the daemon's event log). */
export interface EventSink {
  publish(event: EngineEvent): void;
}
