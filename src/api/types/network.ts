// Engine API wire types of networks (moby swagger).
import type { EndpointSettings } from './container.js';

/** Response of GET /networks/{id} and one item of GET /networks */
export interface Network {
  /** Name of the network */
  Name?: string;
  /** ID that uniquely identifies a network on a single machine */
  Id?: string;
  Created?: string;
  Scope?: string;
  Driver?: string;
  /** Whether the network was created with IPv4 enabled */
  EnableIPv4?: boolean;
  /** Whether the network was created with IPv6 enabled */
  EnableIPv6?: boolean;
  /** The network's IP Address Management */
  IPAM?: IPAM;
  Internal?: boolean;
  Attachable?: boolean;
  /** Whether the network is providing the routing-mesh for the swarm cluster */
  Ingress?: boolean;
  ConfigFrom?: ConfigReference;
  ConfigOnly?: boolean;
  /** Network-specific options uses when creating the network */
  Options?: Record<string, string>;
  /** Metadata specific to the network being created */
  Labels?: Record<string, string>;
  Peers?: PeerInfo[] | null;
  /** Endpoints by container id (inspect only) */
  Containers?: Record<string, NetworkContainer>;
}

/** A container's endpoint on a network, as network inspect lists it */
export interface NetworkContainer {
  Name?: string;
  EndpointID?: string;
  MacAddress?: string;
  IPv4Address?: string;
  IPv6Address?: string;
}

/** Body of POST /networks/create */
export interface NetworkCreateRequest {
  Name: string;
  Driver?: string;
  Scope?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  ConfigOnly?: boolean;
  ConfigFrom?: ConfigReference;
  IPAM?: IPAM;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  Options?: Record<string, string>;
  Labels?: Record<string, string>;
}

/** Response of POST /networks/create */
export interface NetworkCreateResponse {
  Id: string;
  Warning?: string;
}

/** Body of POST /networks/{id}/connect */
export interface NetworkConnectRequest {
  Container: string;
  EndpointConfig?: EndpointSettings;
}

/** IP address management of a network */
export interface IPAM {
  /** Name of the IPAM driver to use */
  Driver?: string;
  Config?: IPAMConfig[];
  /** Driver-specific options, specified as a map */
  Options?: Record<string, string>;
}

/** The config-only network a network takes its configuration from */
export interface ConfigReference {
  Network?: string;
}

/** One peer of an overlay network */
export interface PeerInfo {
  /** ID of the peer-node in the Swarm cluster */
  Name?: string;
  /** IP-address of the peer-node in the Swarm cluster */
  IP?: string;
}

/** One subnet of a network's IPAM */
export interface IPAMConfig {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

