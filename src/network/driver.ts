import type { DriverName, NetworkRecord, PortMapping } from './types.js';

/** An endpoint to create: the namespace exists and IPAM has chosen the address. */
export interface EndpointRequest {
  containerId: string;
  containerName: string;
  network: NetworkRecord;
  /** Absent when the driver asks for no namespace (host). */
  netnsPath?: string;
  /** Interface name inside the namespace. */
  interfaceName: string;
  address?: { ip: string; prefixLen: number; gateway: string; mac: string; ip6?: string };
  portMappings?: readonly PortMapping[];
  /** Names for the network's embedded DNS (user-defined networks); absent on the default bridge. */
  dns?: { aliases: readonly string[]; servers?: readonly string[] };
}

export interface EndpointResult {
  macAddress: string;
  /** The plan as carried out, when the driver took another way than plan() said (kept to undo it). */
  plan?: unknown;
}

export interface EndpointRelease {
  containerId: string;
  network: NetworkRecord;
  /** Absent when there is no namespace, or when it has vanished (host reboot). */
  netnsPath?: string;
  /** What plan() returned for this endpoint. */
  plan?: unknown;
  /** The connect was cut short (a crash): parts may sit where a finished one would not have them. */
  incomplete?: boolean;
  /** The namespace stays (a disconnect from a running container): the endpoint's interface must go by itself. */
  keepsNamespace?: boolean;
}

/**
 * One kind of network (bridge, host, null; later macvlan or user-defined
 * bridges). The service owns namespaces, IPAM and records; a driver only wires
 * an endpoint into the namespace it is given.
 */
export interface NetworkDriver {
  readonly name: DriverName;
  /** undefined: endpoints share the host's namespace; otherwise how to create theirs. */
  readonly netns: { loopbackUp: boolean } | undefined;
  /** Whether endpoints take an address from the network's IPAM pool. */
  readonly needsAddress: boolean;
  /**
   * What connect will do, as JSON. The service persists it before connect runs,
   * so a crash half-way, or a restart, can still be undone exactly.
   */
  plan(req: EndpointRequest): unknown;
  connect(req: EndpointRequest, plan: unknown): Promise<EndpointResult>;
  /** Undo connect; must tolerate a connect that never ran or only partly ran. */
  disconnect(req: EndpointRelease): Promise<void>;
}
