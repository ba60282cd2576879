import { ConflictError, InvalidArgumentError } from '../base/index.js';
import type { EndpointConfig } from '../oci/index.js';
import { hasProcess, type ContainerRecord, type EndpointSettings, type HostConfig, type NetworkingConfig } from './config.js';

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

/**
 * The networks a start joins: the one HostConfig.NetworkMode names first, then every other
 * EndpointsConfig entry (a create with several networks, or `network connect` while stopped).
 */
export function networksToJoin(rec: ContainerRecord): { first: EndpointConfig | undefined; more: { network: string; config?: EndpointConfig }[] } {
  const mode = rec.hostConfig.NetworkMode;
  const primary = endpointSettingsFor(rec.networkingConfig, mode);
  const names = mode === 'bridge' ? ['bridge', 'default', ''] : [mode];
  const more = Object.entries(rec.networkingConfig?.EndpointsConfig ?? {})
    .filter(([name, ep]) => ep !== primary && !names.includes(name))
    .map(([network, ep]) => {
      const config = toEndpointConfig(ep ?? undefined);
      return { network, ...(config ? { config } : {}) };
    });
  // --link on a user-defined network: the alias resolves through the embedded DNS (dockerd keeps it with the endpoint)
  const userLinks = !['bridge', 'default', 'host', 'none', ''].includes(mode) && !mode.startsWith('container:') ? rec.hostConfig.Links ?? [] : [];
  const first = toEndpointConfig(primary);
  if (userLinks.length && !first?.links?.length) return { first: { ...first, links: [...userLinks] }, more };
  return { first, more };
}

/**
 * `--network container:<ref>`: the running container whose namespace, hostname, /etc/hosts and
 * resolv.conf the joiner shares. ConflictError when it does not run.
 */
export function joinedContainer(store: { get(ref: string): ContainerRecord }, rec: ContainerRecord): ContainerRecord {
  const ref = rec.hostConfig.NetworkMode.slice('container:'.length);
  const other = store.get(ref);
  if (other.id === rec.id) throw new InvalidArgumentError('cannot join own network namespace');
  if (!hasProcess(other.state)) throw new ConflictError(`cannot join network namespace of a non running container: ${other.id}`);
  return other;
}

/** Docker refuses these with `--network container:` (the namespace's owner decides them). */
export function checkContainerModeOptions(hc: HostConfig, config: { Hostname?: string; MacAddress?: string; ExposedPorts?: Record<string, unknown> }): void {
  if (!hc.NetworkMode.startsWith('container:')) return;
  if (config.Hostname) throw new InvalidArgumentError('conflicting options: hostname and the network mode');
  if (hc.Dns?.length || hc.DnsSearch?.length || hc.DnsOptions?.length) throw new InvalidArgumentError('conflicting options: dns and the network mode');
  if (hc.ExtraHosts?.length) throw new InvalidArgumentError('conflicting options: custom host-to-IP mapping and the network mode');
  if (config.MacAddress) throw new InvalidArgumentError('conflicting options: mac-address and the network mode');
  if (Object.keys(hc.PortBindings ?? {}).length || hc.PublishAllPorts) throw new InvalidArgumentError('conflicting options: port publishing and the container type network mode');
}
