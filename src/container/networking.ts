import type { EndpointConfig } from '../oci/index.js';
import type { EndpointSettings, NetworkingConfig } from './config.js';

/**
 * The EndpointSettings a create gave for the network the container joins: the entry named by
 * HostConfig.NetworkMode ("default" naming the bridge), else the only entry there is.
 */
export function endpointSettingsFor(net: NetworkingConfig | undefined, networkMode: string): EndpointSettings | undefined {
  const entries = Object.entries(net?.EndpointsConfig ?? {}).filter(([, ep]) => ep);
  const names = networkMode === 'bridge' ? ['bridge', 'default', ''] : [networkMode];
  return entries.find(([name]) => names.includes(name))?.[1] ?? (entries.length === 1 ? entries[0]![1] : undefined);
}

/** Docker's EndpointSettings in the network service's terms; undefined when it asks nothing. */
export function toEndpointConfig(ep: EndpointSettings | undefined): EndpointConfig | undefined {
  if (!ep) return undefined;
  const out: EndpointConfig = {
    ...(ep.Aliases?.length ? { aliases: [...ep.Aliases] } : {}),
    ...(ep.IPAMConfig?.IPv4Address ? { ipv4Address: ep.IPAMConfig.IPv4Address } : {}),
    ...(ep.IPAMConfig?.IPv6Address ? { ipv6Address: ep.IPAMConfig.IPv6Address } : {}),
    ...(ep.IPAMConfig?.LinkLocalIPs?.length ? { linkLocalIps: [...ep.IPAMConfig.LinkLocalIPs] } : {}),
    ...(ep.MacAddress ? { macAddress: ep.MacAddress } : {}),
    ...(ep.Links?.length ? { links: [...ep.Links] } : {}),
    ...(ep.DriverOpts && Object.keys(ep.DriverOpts).length ? { driverOpts: { ...ep.DriverOpts } } : {}),
  };
  return Object.keys(out).length ? out : undefined;
}
