// Engine API wire types of GET /version and GET /info (moby swagger).

/** Response of Engine API: GET "/version" */
export interface SystemVersion {
  Platform?: {
    Name: string;
  };
  /** Information about system components */
  Components?: Array<{
    /** Name of the component */
    Name: string;
    /** Version of the component */
    Version: string;
    Details?: Record<string, unknown> | null;
  }>;
  /** The version of the daemon */
  Version?: string;
  /** The default (and highest) API version that is supported by the daemon */
  ApiVersion?: string;
  /** The minimum API version that is supported by the daemon */
  MinAPIVersion?: string;
  /** The Git commit of the source code that was used to build the daemon */
  GitCommit?: string;
  /** The Go version that compiled the daemon */
  GoVersion?: string;
  /** The operating system that the daemon is running on ("linux" or "windows") */
  Os?: string;
  /** Architecture of the daemon, as returned by the Go runtime (`GOARCH`) */
  Arch?: string;
  /** The kernel version (`uname -r`) that the daemon is running on */
  KernelVersion?: string;
  /** Indicates if the daemon is started with experimental features enabled */
  Experimental?: boolean;
  /** The date and time that the daemon was compiled */
  BuildTime?: string;
}

/** Response of GET /info */
export interface SystemInfo {
  /** Unique identifier of the daemon */
  ID?: string;
  /** Total number of containers on the host */
  Containers?: number;
  /** Number of containers with status `"running"` */
  ContainersRunning?: number;
  /** Number of containers with status `"paused"` */
  ContainersPaused?: number;
  /** Number of containers with status `"stopped"` */
  ContainersStopped?: number;
  /** Total number of images on the host */
  Images?: number;
  /** Name of the storage driver in use */
  Driver?: string;
  DriverStatus?: string[][];
  /** Root directory of persistent Docker state */
  DockerRootDir?: string;
  Plugins?: PluginsInfo;
  /** Indicates if the host has memory limit support enabled */
  MemoryLimit?: boolean;
  /** Indicates if the host has memory swap limit support enabled */
  SwapLimit?: boolean;
  CpuCfsPeriod?: boolean;
  CpuCfsQuota?: boolean;
  /** Indicates if CPU Shares limiting is supported by the host */
  CPUShares?: boolean;
  /** Indicates if CPUsets (cpuset.cpus, cpuset.mems) are supported by the host */
  CPUSet?: boolean;
  /** Indicates if the host kernel has PID limit support enabled */
  PidsLimit?: boolean;
  /** Indicates if OOM killer disable is supported on the host */
  OomKillDisable?: boolean;
  /** Deprecated in API 1.50; still sent by dockerd 28 */
  KernelMemoryTCP?: boolean;
  /** Deprecated; still sent by dockerd 28 */
  BridgeNfIptables?: boolean;
  /** Deprecated; still sent by dockerd 28 */
  BridgeNfIp6tables?: boolean;
  /** Indicates IPv4 forwarding is enabled */
  IPv4Forwarding?: boolean;
  /** Indicates if the daemon is running in debug-mode / with debug-level */
  Debug?: boolean;
  /** The total number of file Descriptors in use by the daemon process */
  NFd?: number;
  /** The  number of goroutines that currently exist */
  NGoroutines?: number;
  /** Current system-time in [RFC 3339](https://www.ietf.org/rfc/rfc3339.txt) */
  SystemTime?: string;
  /** The logging driver to use as a default for new containers */
  LoggingDriver?: string;
  /** The driver to use for managing cgroups */
  CgroupDriver?: 'cgroupfs' | 'systemd' | 'none';
  /** The version of the cgroup */
  CgroupVersion?: '1' | '2';
  /** Number of event listeners subscribed */
  NEventsListener?: number;
  /** Kernel version of the host */
  KernelVersion?: string;
  /** Name of the host's operating system, for example: "Ubuntu 24.04 LTS" */
  OperatingSystem?: string;
  /** Version of the host's operating system */
  OSVersion?: string;
  OSType?: string;
  /** Hardware architecture of the host, as returned by the operating system */
  Architecture?: string;
  /** The number of logical CPUs usable by the daemon */
  NCPU?: number;
  /** Total amount of physical memory available on the host, in bytes */
  MemTotal?: number;
  /** Address / URL of the index server that is used for image search, */
  IndexServerAddress?: string;
  RegistryConfig?: RegistryServiceConfig;
  GenericResources?: GenericResources;
  HttpProxy?: string;
  HttpsProxy?: string;
  NoProxy?: string;
  /** Hostname of the host */
  Name?: string;
  /** User-defined labels (key/value metadata) as set on the daemon */
  Labels?: string[];
  /** Indicates if experimental features are enabled on the daemon */
  ExperimentalBuild?: boolean;
  /** Version string of the daemon */
  ServerVersion?: string;
  /** List of [OCI compliant](https://github.com/opencontainers/runtime-spec) */
  Runtimes?: Record<string, Runtime>;
  /** Name of the default OCI runtime that is used when starting containers */
  DefaultRuntime?: string;
  Swarm?: SwarmInfo;
  /** Indicates if live restore is enabled */
  LiveRestoreEnabled?: boolean;
  /** Represents the isolation technology to use as a default for containers */
  Isolation?: 'default' | 'hyperv' | 'process' | '';
  /** Name and, optional, path of the `docker-init` binary */
  InitBinary?: string;
  ContainerdCommit?: Commit;
  RuncCommit?: Commit;
  InitCommit?: Commit;
  SecurityOptions?: string[];
  /** Reports a summary of the product license on the daemon */
  ProductLicense?: string;
  DefaultAddressPools?: Array<{
    /** The network address in CIDR format */
    Base?: string;
    /** The network pool size */
    Size?: number;
  }>;
  FirewallBackend?: FirewallInfo;
  /** List of devices discovered by device drivers */
  DiscoveredDevices?: DeviceInfo[];
  NRI?: NRIInfo;
  Warnings?: string[];
  /** Directories where CDI specifications are searched for */
  CDISpecDirs?: string[];
  Containerd?: ContainerdInfo;
}

/** Available plugins per type */
export interface PluginsInfo {
  /** Names of volume drivers */
  Volume?: string[];
  /** Names of network drivers */
  Network?: string[];
  /** Names of available authorization plugins */
  Authorization?: string[];
  /** Names of logging drivers */
  Log?: string[];
}

/** RegistryServiceConfig stores daemon registry services configuration */
export interface RegistryServiceConfig {
  /** List of IP ranges of insecure registries, using the CIDR syntax */
  InsecureRegistryCIDRs?: string[];
  IndexConfigs?: Record<string, IndexInfo>;
  /** Registry mirrors of Docker Hub */
  Mirrors?: string[];
}

/** User-defined resources: named (`GPU=UUID1`) or discrete (`SSD=3`) */
export type GenericResources = Array<{
  NamedResourceSpec?: {
    Kind?: string;
    Value?: string;
  };
  DiscreteResourceSpec?: {
    Kind?: string;
    Value?: number;
  };
}>;

/** An OCI runtime the daemon can use */
export interface Runtime {
  /** Name and, optional, path, of the OCI executable binary */
  path?: string;
  /** List of command-line arguments to pass to the runtime when invoked */
  runtimeArgs?: string[] | null;
  /** Information specific to the runtime */
  status?: Record<string, string> | null;
}

/** Represents generic information about swarm */
export interface SwarmInfo {
  /** Unique identifier of for this node in the swarm */
  NodeID?: string;
  NodeAddr?: string;
  LocalNodeState?: LocalNodeState;
  ControlAvailable?: boolean;
  Error?: string;
  /** List of ID's and addresses of other managers in the swarm */
  RemoteManagers?: PeerNode[] | null;
  /** Total number of nodes in the swarm */
  Nodes?: number | null;
  /** Total number of managers in the swarm */
  Managers?: number | null;
  /** Swarm cluster details; opaque to berth until swarm mode lands */
  Cluster?: Record<string, unknown>;
}

/** The Git commit a component was built from */
export interface Commit {
  /** Actual commit ID of external tool */
  ID?: string;
}

/** Information about the daemon's firewalling configuration */
export interface FirewallInfo {
  /** The name of the firewall backend driver */
  Driver?: string;
  Info?: string[][];
}

/** DeviceInfo represents a device that can be used by a container */
export interface DeviceInfo {
  /** The origin device driver */
  Source?: string;
  /** The unique identifier for the device within its source driver */
  ID?: string;
}

/** Information about the Node Resource Interface (NRI) */
export interface NRIInfo {
  /** Information about NRI, provided as "label" / "value" pairs */
  Info?: string[][];
}

/** Information for connecting to the containerd instance that is used by the daemon */
export interface ContainerdInfo {
  /** The address of the containerd socket */
  Address?: string;
  Namespaces?: {
    
    Containers?: string;
    Plugins?: string;
  };
}

/** IndexInfo contains information about a registry */
export interface IndexInfo {
  /** Name of the registry, such as "docker.io" */
  Name?: string;
  /** List of mirrors, expressed as URIs */
  Mirrors?: string[];
  /** False when the registry is in the insecure list */
  Secure?: boolean;
  /** Indicates whether this is an official registry (i.e., Docker Hub / docker.io) */
  Official?: boolean;
}

/** Current local status of this node */
export type LocalNodeState = '' | 'inactive' | 'pending' | 'active' | 'error' | 'locked';

/** Represents a peer-node in the swarm */
export interface PeerNode {
  /** Unique identifier of for this node in the swarm */
  NodeID?: string;
  /** IP address and ports at which this node can be reached */
  Addr?: string;
}


/**
 * One message of GET /events (moby's events.Message), with the fields API < 1.52 still carries
 * (`status`, `id`, `from` for containers and images), in dockerd's order.
 */
export interface EventMessage {
  status?: string;
  id?: string;
  from?: string;
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: string;
  time: number;
  /** Unix nanoseconds; beyond a double's precision, so clients that care read it as text. */
  timeNano: number;
}
