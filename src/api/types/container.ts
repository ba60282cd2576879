// Engine API wire types of containers (moby swagger; fields of API 1.50 that dockerd 28 still
// sends are kept as optional so that berth can talk to real Docker too).
import type { OCIDescriptor } from './common.js';

/** Configuration for a container that is portable between hosts */
export interface ContainerCreateConfig {
  /** The hostname to use for the container, as a valid RFC 1123 hostname */
  Hostname?: string;
  /** The domain name to use for the container */
  Domainname?: string;
  User?: string;
  /** Whether to attach to `stdin` */
  AttachStdin?: boolean;
  /** Whether to attach to `stdout` */
  AttachStdout?: boolean;
  /** Whether to attach to `stderr` */
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, Record<string, unknown>> | null;
  /** Attach standard streams to a TTY, including `stdin` if it is not closed */
  Tty?: boolean;
  /** Open `stdin` */
  OpenStdin?: boolean;
  /** Close `stdin` after one attached client disconnects */
  StdinOnce?: boolean;
  Env?: string[];
  /** Command to run specified as a string or an array of strings */
  Cmd?: string[];
  Healthcheck?: HealthConfig;
  /** Command is already escaped (Windows only) */
  ArgsEscaped?: boolean | null;
  Image?: string;
  Volumes?: Record<string, Record<string, unknown>>;
  WorkingDir?: string;
  /** The entry point for the container as a string or an array of strings */
  Entrypoint?: string[];
  /** Disable networking for the container */
  NetworkDisabled?: boolean | null;
  /** `ONBUILD` metadata that were defined in the image's `Dockerfile` */
  OnBuild?: string[] | null;
  /** User-defined key/value metadata */
  Labels?: Record<string, string>;
  /** Signal to stop a container as a string or unsigned integer */
  StopSignal?: string | null;
  StopTimeout?: number | null;
  /** Shell for when `RUN`, `CMD`, and `ENTRYPOINT` uses a shell */
  Shell?: string[] | null;
  /** Deprecated since API 1.44 (moved to the endpoint settings); still accepted */
  MacAddress?: string;
}

/** Body of POST /containers/create: the container config plus host and network settings */
export interface ContainerCreateRequest extends ContainerCreateConfig {
  HostConfig?: HostConfig;
  NetworkingConfig?: NetworkingConfig;
}

/** Container configuration that depends on the host we are running on */
export interface HostConfig extends Resources {
  /** `src:dst[:opts]` volume bindings */
  Binds?: string[];
  /** Path to a file where the container ID is written */
  ContainerIDFile?: string;
  /** The logging configuration for this container */
  LogConfig?: {
    Type?: 'local' | 'json-file' | 'syslog' | 'journald' | 'gelf' | 'fluentd' | 'awslogs' | 'splunk' | 'etwlogs' | 'none';
    /** Driver-specific configuration options for the logging driver */
    Config?: Record<string, string>;
  };
  NetworkMode?: string;
  PortBindings?: PortMap;
  RestartPolicy?: RestartPolicy;
  AutoRemove?: boolean;
  /** Driver that this container uses to mount volumes */
  VolumeDriver?: string;
  VolumesFrom?: string[];
  /** Specification for mounts to be added to the container */
  Mounts?: Mount[];
  /** Initial console size, as an `[height, width]` array */
  ConsoleSize?: number[] | null;
  Annotations?: Record<string, string>;
  CapAdd?: string[];
  CapDrop?: string[];
  CgroupnsMode?: 'private' | 'host';
  /** A list of DNS servers for the container to use */
  Dns?: string[];
  /** A list of DNS options */
  DnsOptions?: string[];
  /** A list of DNS search domains */
  DnsSearch?: string[];
  ExtraHosts?: string[];
  GroupAdd?: string[];
  IpcMode?: string;
  /** Cgroup to use for the container */
  Cgroup?: string;
  /** A list of links for the container in the form `container_name:alias` */
  Links?: string[];
  OomScoreAdj?: number;
  PidMode?: string;
  /** Gives the container full access to the host */
  Privileged?: boolean;
  PublishAllPorts?: boolean;
  /** Mount the container's root filesystem as read only */
  ReadonlyRootfs?: boolean;
  SecurityOpt?: string[];
  /** Storage driver options for this container, in the form `{"size": "120G"}` */
  StorageOpt?: Record<string, string>;
  Tmpfs?: Record<string, string>;
  /** UTS namespace to use for the container */
  UTSMode?: string;
  UsernsMode?: string;
  /** Size of `/dev/shm` in bytes. If omitted, the system uses 64MB */
  ShmSize?: number;
  /** A list of kernel parameters (sysctls) to set in the container */
  Sysctls?: Record<string, string> | null;
  /** Runtime to use with this container */
  Runtime?: string | null;
  /** Isolation technology of the container. (Windows only) */
  Isolation?: 'default' | 'process' | 'hyperv' | '';
  MaskedPaths?: string[];
  ReadonlyPaths?: string[];
}

/** Endpoint settings for the networks a new container joins */
export interface NetworkingConfig {
  /** A mapping of network name to endpoint configuration for that network */
  EndpointsConfig?: Record<string, EndpointSettings>;
}

/** OK response to ContainerCreate operation */
export interface ContainerCreateResponse {
  /** The ID of the created container */
  Id: string;
  /** Warnings encountered when creating the container */
  Warnings: string[];
}

/** One item of GET /containers/json */
export interface ContainerSummary {
  /** The ID of this container as a 128-bit (64-character) hexadecimal string (32 bytes) */
  Id?: string;
  Names?: string[];
  /** The name or ID of the image used to create the container */
  Image?: string;
  /** The ID (digest) of the image that this container was created from */
  ImageID?: string;
  ImageManifestDescriptor?: OCIDescriptor | null;
  /** Command to run when starting the container */
  Command?: string;
  Created?: number;
  /** Port-mappings for the container */
  Ports?: PortSummary[];
  /** The size of files that have been created or changed by this container */
  SizeRw?: number | null;
  SizeRootFs?: number | null;
  /** User-defined key/value metadata */
  Labels?: Record<string, string>;
  /** The state of this container */
  State?: 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'removing' | 'dead';
  /** Additional human-readable status of this container (e.g. `Exit 0`) */
  Status?: string;
  HostConfig?: {
    NetworkMode?: string;
    /** Arbitrary key-value metadata attached to the container */
    Annotations?: Record<string, string> | null;
  };
  /** Summary of the container's network settings */
  NetworkSettings?: {
    Networks?: Record<string, EndpointSettings>;
  };
  /** List of mounts used by the container */
  Mounts?: MountPoint[];
  Health?: {
    /** the health status of the container */
    Status?: 'none' | 'starting' | 'healthy' | 'unhealthy';
    /** FailingStreak is the number of consecutive failures */
    FailingStreak?: number;
  };
}

/** Response of GET /containers/{id}/json */
export interface ContainerInspectResponse {
  /** The ID of this container as a 128-bit (64-character) hexadecimal string (32 bytes) */
  Id?: string;
  Created?: string | null;
  /** The path to the command being run */
  Path?: string;
  /** The arguments to the command being run */
  Args?: string[];
  State?: ContainerState;
  /** The ID (digest) of the image that this container was created from */
  Image?: string;
  ResolvConfPath?: string;
  HostnamePath?: string;
  HostsPath?: string;
  LogPath?: string | null;
  /** The name associated with this container */
  Name?: string;
  RestartCount?: number;
  Driver?: string;
  /** The platform (operating system) for which the container was created */
  Platform?: string;
  ImageManifestDescriptor?: OCIDescriptor;
  /** SELinux mount label set for the container */
  MountLabel?: string;
  /** SELinux process label set for the container */
  ProcessLabel?: string;
  /** The AppArmor profile set for the container */
  AppArmorProfile?: string;
  /** IDs of exec instances that are running in the container */
  ExecIDs?: string[] | null;
  HostConfig?: HostConfig;
  GraphDriver?: DriverData | null;
  /** Snapshotter details (containerd image store only) */
  Storage?: { RootFS?: { Snapshot?: { Name?: string } | null } | null } | null;
  /** The size of files that have been created or changed by this container */
  SizeRw?: number | null;
  SizeRootFs?: number | null;
  /** List of mounts used by the container */
  Mounts?: MountPoint[];
  Config?: ContainerCreateConfig;
  NetworkSettings?: NetworkSettings;
}

/** OK response to ContainerWait operation */
export interface ContainerWaitResponse {
  /** Exit code of the container */
  StatusCode: number;
  Error?: ContainerWaitExitError;
}

/** A test to perform to check that the container is healthy */
export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
  /** The time to wait between checks in nanoseconds during the start period */
  StartInterval?: number;
}

/** The storage driver and its per-object data (overlay2: LowerDir, UpperDir, ...) */
export interface DriverData {
  /** Name of the storage driver */
  Name: string;
  /** Low-level storage metadata, provided as key/value pairs */
  Data: Record<string, string>;
}

/** A container's resources (cgroups config, ulimits, etc) */
export interface Resources {
  CpuShares?: number;
  /** Memory limit in bytes */
  Memory?: number;
  CgroupParent?: string;
  /** Block IO weight (relative weight) */
  BlkioWeight?: number;
  BlkioWeightDevice?: Array<{
    Path?: string;
    Weight?: number;
  }>;
  BlkioDeviceReadBps?: ThrottleDevice[];
  BlkioDeviceWriteBps?: ThrottleDevice[];
  BlkioDeviceReadIOps?: ThrottleDevice[];
  BlkioDeviceWriteIOps?: ThrottleDevice[];
  /** The length of a CPU period in microseconds */
  CpuPeriod?: number;
  /** Microseconds of CPU time that the container can get in a CPU period */
  CpuQuota?: number;
  CpuRealtimePeriod?: number;
  CpuRealtimeRuntime?: number;
  /** CPUs in which to allow execution (e.g., `0-3`, `0,1`) */
  CpusetCpus?: string;
  CpusetMems?: string;
  /** A list of devices to add to the container */
  Devices?: DeviceMapping[];
  /** a list of cgroup rules to apply to the container */
  DeviceCgroupRules?: string[];
  /** A list of requests for devices to be sent to device drivers */
  DeviceRequests?: DeviceRequest[];
  /** Memory soft limit in bytes */
  MemoryReservation?: number;
  MemorySwap?: number;
  MemorySwappiness?: number;
  /** CPU quota in units of 10<sup>-9</sup> CPUs */
  NanoCpus?: number;
  /** Disable OOM Killer for the container */
  OomKillDisable?: boolean;
  Init?: boolean | null;
  PidsLimit?: number | null;
  Ulimits?: Array<{
    /** Name of ulimit */
    Name?: string;
    /** Soft limit */
    Soft?: number;
    /** Hard limit */
    Hard?: number;
  }>;
  /** The number of usable CPUs (Windows only) */
  CpuCount?: number;
  /** The usable percentage of the available CPUs (Windows only) */
  CpuPercent?: number;
  /** Maximum IOps for the container system drive (Windows only) */
  IOMaximumIOps?: number;
  IOMaximumBandwidth?: number;
}

/** Container port ("80/tcp") to host bindings; null when exposed but not published */
export type PortMap = Record<string, PortBinding[] | null>;

/** What to do when the container exits; "" or "no" means never restart */
export interface RestartPolicy {
  Name?: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure';
  /** If `on-failure` is used, the number of times to retry before giving up */
  MaximumRetryCount?: number;
}

/** One entry of `HostConfig.Mounts` (the `--mount` flag) */
export interface Mount {
  /** Container path */
  Target?: string;
  Source?: string;
  Type?: MountType;
  /** Whether the mount should be read-only */
  ReadOnly?: boolean;
  /** The consistency requirement for the mount: `default`, `consistent`, `cached`, or `delegated` */
  Consistency?: string;
  /** Optional configuration for the `bind` type */
  BindOptions?: {
    /** A propagation mode with the value `[r]private`, `[r]shared`, or `[r]slave` */
    Propagation?: 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';
    /** Disable recursive bind mount */
    NonRecursive?: boolean;
    /** Create mount point on host if missing */
    CreateMountpoint?: boolean;
    ReadOnlyNonRecursive?: boolean;
    /** Raise an error if the mount cannot be made recursively read-only */
    ReadOnlyForceRecursive?: boolean;
  };
  /** Optional configuration for the `volume` type */
  VolumeOptions?: {
    /** Populate volume with data from the target */
    NoCopy?: boolean;
    /** User-defined key/value metadata */
    Labels?: Record<string, string>;
    /** Map of driver specific options */
    DriverConfig?: {
      /** Name of the driver to use to create the volume */
      Name?: string;
      /** key/value map of driver specific options */
      Options?: Record<string, string>;
    };
    /** Source path inside the volume. Must be relative without any back traversals */
    Subpath?: string;
  };
  /** Optional configuration for the `image` type */
  ImageOptions?: {
    /** Source path inside the image. Must be relative without any back traversals */
    Subpath?: string;
  };
  /** Optional configuration for the `tmpfs` type */
  TmpfsOptions?: {
    /** The size for the tmpfs mount in bytes */
    SizeBytes?: number;
    /** The permission mode for the tmpfs mount in an integer */
    Mode?: number;
    /** The options to be passed to the tmpfs mount. An array of arrays */
    Options?: string[][];
  };
}

/** Configuration for a network endpoint */
export interface EndpointSettings {
  IPAMConfig?: EndpointIPAMConfig;
  Links?: string[];
  /** MAC address for the endpoint on this network. The network driver might ignore this parameter */
  MacAddress?: string;
  Aliases?: string[];
  DriverOpts?: Record<string, string> | null;
  GwPriority?: number;
  /** Unique ID of the network */
  NetworkID?: string;
  /** Unique ID for the service endpoint in a Sandbox */
  EndpointID?: string;
  /** Gateway address for this network */
  Gateway?: string;
  /** IPv4 address */
  IPAddress?: string;
  /** Mask length of the IPv4 address */
  IPPrefixLen?: number;
  /** IPv6 gateway address */
  IPv6Gateway?: string;
  /** Global IPv6 address */
  GlobalIPv6Address?: string;
  /** Mask length of the global IPv6 address */
  GlobalIPv6PrefixLen?: number;
  DNSNames?: string[];
}

/** Describes a port-mapping between the container and the host */
export interface PortSummary {
  IP?: string;
  /** Port on the container */
  PrivatePort: number;
  /** Port exposed on the host */
  PublicPort?: number;
  Type: 'tcp' | 'udp' | 'sctp';
}

/** MountPoint represents a mount point configuration inside the container */
export interface MountPoint {
  Type?: MountType;
  Name?: string;
  /** Source location of the mount */
  Source?: string;
  Destination?: string;
  /** Driver is the volume driver used to create the volume (if it is a volume) */
  Driver?: string;
  Mode?: string;
  /** Whether the mount is mounted writable (read-write) */
  RW?: boolean;
  Propagation?: string;
}

/** The `State` of GET /containers/{id}/json */
export interface ContainerState {
  Status?: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
  /** Whether this container is running */
  Running?: boolean;
  /** Whether this container is paused */
  Paused?: boolean;
  /** Whether this container is restarting */
  Restarting?: boolean;
  OOMKilled?: boolean;
  Dead?: boolean;
  /** The process ID of this container */
  Pid?: number;
  /** The last exit code of this container */
  ExitCode?: number;
  Error?: string;
  /** The time when this container was last started */
  StartedAt?: string;
  /** The time when this container last exited */
  FinishedAt?: string;
  Health?: Health;
}

/** NetworkSettings exposes the network settings in the API */
export interface NetworkSettings {
  /** SandboxID uniquely represents a container's network stack */
  SandboxID?: string;
  /** SandboxKey is the full path of the netns handle */
  SandboxKey?: string;
  Ports?: PortMap;
  /** Networks the container is connected to, by network name */
  Networks?: Record<string, EndpointSettings>;
  // The fields below are deprecated (API < 1.52) but dockerd 28 still fills them in.
  Bridge?: string;
  HairpinMode?: boolean;
  LinkLocalIPv6Address?: string;
  LinkLocalIPv6PrefixLen?: number;
  SecondaryIPAddresses?: Array<{ Addr?: string; PrefixLen?: number }> | null;
  SecondaryIPv6Addresses?: Array<{ Addr?: string; PrefixLen?: number }> | null;
  EndpointID?: string;
  Gateway?: string;
  GlobalIPv6Address?: string;
  GlobalIPv6PrefixLen?: number;
  IPAddress?: string;
  IPPrefixLen?: number;
  IPv6Gateway?: string;
  MacAddress?: string;
}

/** Set when waiting for the container failed */
export interface ContainerWaitExitError {
  /** Details of an error */
  Message?: string;
}

/** A per-device IO limit */
export interface ThrottleDevice {
  /** Device path */
  Path?: string;
  /** Rate */
  Rate?: number;
}

/** A device mapping between the host and container */
export interface DeviceMapping {
  PathOnHost?: string;
  PathInContainer?: string;
  CgroupPermissions?: string;
}

/** A request for devices to be sent to device drivers */
export interface DeviceRequest {
  /** The name of the device driver to use for this request */
  Driver?: string;
  Count?: number;
  DeviceIDs?: string[];
  /** A list of capabilities; an OR list of AND lists of capabilities */
  Capabilities?: string[][];
  Options?: Record<string, string>;
}

/** One host binding of a container port */
export interface PortBinding {
  HostIp?: string;
  HostPort?: string;
}

export type MountType = 'bind' | 'cluster' | 'image' | 'npipe' | 'tmpfs' | 'volume';

/** EndpointIPAMConfig represents an endpoint's IPAM configuration */
export interface EndpointIPAMConfig {
  IPv4Address?: string;
  IPv6Address?: string;
  LinkLocalIPs?: string[];
}

/** Health stores information about the container's healthcheck results */
export interface Health {
  Status?: 'none' | 'starting' | 'healthy' | 'unhealthy';
  /** FailingStreak is the number of consecutive failures */
  FailingStreak?: number;
  /** Log contains the last few results (oldest first) */
  Log?: HealthcheckResult[];
}

/** HealthcheckResult stores information about a single run of a healthcheck probe */
export interface HealthcheckResult {
  Start?: string;
  End?: string;
  ExitCode?: number;
  /** Output from last check */
  Output?: string;
}


/** Response of POST /containers/prune */
export interface ContainerPruneResponse {
  /** Container IDs that were deleted */
  ContainersDeleted?: string[] | null;
  /** Disk space reclaimed in bytes */
  SpaceReclaimed?: number;
}

/** Response of POST /containers/{id}/update */
export interface ContainerUpdateResponse {
  Warnings?: string[] | null;
}
