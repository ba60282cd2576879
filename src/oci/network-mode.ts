/**
 * The network modes a container runs in today (HostConfig.NetworkMode once resolved: "default"
 * and the predefined network names map to these). The one definition: the container, network and
 * runtime-spec modules all use it. 'bridge' covers every bridge network (the default and user-defined ones);
 * 'container' joins another container's namespace (`container:<id>`).
 */
export type NetworkMode = 'bridge' | 'host' | 'none' | 'container';

/**
 * What a create asks of the container's endpoint on one network: the API's EndpointSettings
 * (NetworkingConfig.EndpointsConfig[name]) in the engine's terms, kept with the endpoint.
 */
export interface EndpointConfig {
  aliases?: string[];
  ipv4Address?: string;
  ipv6Address?: string;
  linkLocalIps?: string[];
  macAddress?: string;
  links?: string[];
  driverOpts?: Record<string, string>;
}
