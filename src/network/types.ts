import type { PortRequest } from './port-allocator.js';
import type { EndpointConfig, NetworkMode } from '../oci/index.js';

/** How a container joins the network (Docker's predefined modes), and what it asks of its endpoint: oci/network-mode.ts. */
export type { EndpointConfig, NetworkMode };

/** Docker's driver names for the predefined networks. */
export type DriverName = 'bridge' | 'host' | 'null';

export interface IpamPoolConfig {
  subnet: string;
  gateway: string;
  /** --ip-range: where addresses are handed out from. */
  ipRange?: string;
  /** --aux-address name=ip: addresses kept out of the pool. */
  auxAddresses?: Record<string, string>;
}

/** A network as berth keeps it (domain model; api/routes converts to Docker's wire shape). */
export interface NetworkRecord {
  /** 64 hex, generated once and kept across restarts. */
  id: string;
  name: string;
  driver: DriverName;
  scope: 'local';
  /** RFC 3339 */
  created: string;
  enableIPv4: boolean;
  enableIPv6: boolean;
  ipam: { driver: 'default'; config: IpamPoolConfig[]; options?: Record<string, string> };
  internal: boolean;
  attachable: boolean;
  options: Record<string, string>;
  labels: Record<string, string>;
  /** Host interface of a bridge network (empty for host and null). */
  bridge: string;
}

/** A container's endpoint on a network. */
export interface Attachment {
  mode: NetworkMode;
  /** Bind-mounted network namespace to join (bridge and none; absent for host). */
  netnsPath?: string;
  networkId: string;
  endpointId: string;
  /** Empty for host and none. */
  ipAddress: string;
  ipPrefixLen: number;
  gateway: string;
  macAddress: string;
  /** Host bridge interface, empty for host and none. */
  bridge: string;
  /** The published ports, host ports chosen (absent when none). */
  ports?: PortMapping[];
  /** Interface inside the namespace (eth0, eth1... in connect order); empty without one. */
  interfaceName?: string;
  /** --network-alias / EndpointsConfig Aliases. */
  aliases?: string[];
  /** Names the embedded DNS answers for this endpoint (name, short id, aliases); user networks only. */
  dnsNames?: string[];
  /** The addresses the endpoint asked for (EndpointSettings.IPAMConfig). */
  ipamConfig?: { ipv4Address?: string; ipv6Address?: string };
  /** On a network with IPv6: the endpoint's address, prefix length and gateway. */
  globalIPv6Address?: string;
  globalIPv6PrefixLen?: number;
  ipv6Gateway?: string;
}

/** A published port as allocated: netavark forwards it with DNAT (port-book.ts). */
export interface PortMapping {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  /** Number of consecutive ports, 1 for one. */
  range: number;
}

export interface AttachOptions {
  containerId: string;
  containerName: string;
  mode: NetworkMode;
  /** The network to join in bridge mode (a user-defined network's name or id); the default bridge when absent. */
  network?: string;
  /** More networks to join once the first is wired (a create's other EndpointsConfig entries). */
  more?: { network: string; config?: EndpointConfig }[];
  /** The container's --dns servers: the embedded DNS of user-defined networks forwards to them. */
  dnsServers?: string[];
  /** A MAC address asked for at create (`--mac-address`); one derived from the IP otherwise. */
  macAddress?: string;
  /** What the create asked of this endpoint (NetworkingConfig), kept with the endpoint. */
  config?: EndpointConfig;
  /** Ports to publish (bridge only; host and none ignore them, as Docker does). */
  ports?: PortRequest[];
}
