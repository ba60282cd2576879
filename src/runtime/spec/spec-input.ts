import type { LinuxDevice, NetworkMode, RuntimeMount } from '../../oci/index.js';
import type { ResourceInput } from './resources.js';
import type { HostLimit, Ulimit } from './rlimits.js';
import type { DockerSeccompProfile } from './seccomp.js';

export type { NetworkMode };

/** A namespace shared rather than made: the host's, or one joined by its file (/proc/<pid>/ns/<type>). */
export type SharedNamespace = 'host' | { path: string };

/** Everything buildSpec needs about one container; host facts come from hostSpecFacts(). */
export interface SpecInput {
  id: string;
  /** The mounted root filesystem (overlay merged dir). */
  rootfs: string;
  readonlyRootfs: boolean;
  /** Entrypoint + Cmd, already resolved. */
  args: string[];
  /** Config.Env; Docker's PATH, HOSTNAME and TERM defaults are added where the container sets none. */
  env: string[];
  cwd: string;
  /** From resolveUser(); additionalGids are the supplementary groups (the primary gid is added first). */
  user: { uid: number; gid: number; additionalGids: number[] };
  tty: boolean;
  openStdin: boolean;
  consoleSize?: { height: number; width: number };
  hostname: string;
  domainname?: string;
  /** Host paths bind-mounted over /etc/hostname, /etc/hosts and /etc/resolv.conf. */
  files: { hostname: string; hosts: string; resolvConf: string };
  /**
   * path = the netns file netavark configured (bridge); none gets a fresh, empty netns. PID and
   * IPC: a new namespace (absent), the host's, or another container's by its namespace file;
   * UTS: new or the host's; cgroup: the host's (absent) or a new one.
   */
  namespaces: { network: { mode: NetworkMode; path?: string }; pid?: SharedNamespace; ipc?: SharedNamespace; uts?: 'host'; cgroup?: 'private' };
  /** /dev/shm: a tmpfs of the container's own (absent), none (--ipc none), or a bind of the host's or the IPC donor's. */
  shm?: 'none' | { source: string };
  resources: ResourceInput;
  ulimits: Ulimit[];
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  /** Run catatonit as PID 1: bind-mounted at /sbin/docker-init, argv ['/sbin/docker-init', '--', ...args]. */
  init: boolean;
  /** Host path of the init binary; default /usr/bin/catatonit. */
  initPath?: string;
  /** /dev/shm size in bytes; default 64 MiB. */
  shmSize?: number;
  cgroupsPath: string;
  /** --security-opt seccomp=: the daemon's default, none, or the container's own profile (JSON sent by the client). */
  seccomp: 'default' | 'unconfined' | { profile: DockerSeccompProfile };
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
  /** Volumes and other user mounts; they override default mounts with the same destination. */
  extraMounts: RuntimeMount[];
  /** Host paths masked besides MASKED_PATHS where they exist (each CPU's thermal_throttle), as dockerd. */
  hostMaskedPaths?: string[];
  /** The host's bounding set (CapBnd): privileged gets exactly these. */
  hostCapabilities: string[];
  /** Host hard limits; no rlimit in the spec exceeds them. */
  hostRlimits?: Record<string, HostLimit>;
  /** All host devices, needed only for privileged containers (listHostDevices()). */
  hostDevices?: LinuxDevice[];
  /** Docker-format profile behind seccomp 'default': Docker's own (dockerDefaultSeccompProfile()) unless the daemon names a file. */
  seccompProfile?: DockerSeccompProfile;
  kernelVersion?: string;
  /** Node's process.arch of the host; default 'x64'. */
  arch?: string;
  annotations?: Record<string, string>;
}
