import type { Logger } from '../base/index.js';
import type { BridgeDriver } from './bridge-driver.js';
import { removeEmptyDnatChain } from './dnat-chains.js';
import { parseDnsLink, type DnsLinkTarget } from './dns-links.js';
import { endpointKey, type EndpointRecord } from './endpoint-store.js';
import { netavarkName } from './netavark.js';
import type { NetworkHost } from './network-host.js';
import type { PortBook } from './port-book.js';
import type { NetworkRecord, PortMapping } from './types.js';
import { UserlandProxy } from './userland-proxy.js';

/**
 * What an endpoint carries beyond its interface: published ports that DNAT cannot take (the userland
 * proxy), its user-network --link names, and the DNAT chain netavark leaves when a network's last
 * mapping goes. The network service calls it once an endpoint is wired and as it is unwired.
 */
export class EndpointExtras {
  private readonly proxy: UserlandProxy;

  constructor(private readonly deps: {
    host: NetworkHost;
    log: Logger;
    bridge: BridgeDriver;
    ports: PortBook;
    /** Every endpoint record there is (wired or being wired). */
    endpoints: () => readonly EndpointRecord[];
    /** dockerd's --iptables (default true). */
    iptables: boolean;
    /** dockerd's --userland-proxy (default true). */
    userlandProxy: boolean;
  }) {
    this.proxy = new UserlandProxy(deps.log);
  }

  /** A mapping DNAT cannot carry: every one without iptables, an IPv6 host address into an IPv4-only network. */
  private proxied(m: PortMapping, network: NetworkRecord): boolean {
    return !this.deps.iptables || (m.hostIp.includes(':') && !network.enableIPv6);
  }

  /** netavark's share of the endpoint's ports: what is not proxied, and no :: twin on an IPv6 network (netavark's "" is both families). */
  dnatPorts(ports: readonly PortMapping[], network: NetworkRecord): PortMapping[] {
    return ports.filter((m) => !this.proxied(m, network)
      && !(m.hostIp === '::' && ports.some((o) => o.hostIp === '0.0.0.0' && o.hostPort === m.hostPort && o.protocol === m.protocol)));
  }

  /** The endpoint is wired: open its proxied ports and add its link names. Throws to have it undone. */
  async wired(rec: EndpointRecord, network: NetworkRecord): Promise<void> {
    await this.startProxy(rec, network);
    await this.setLinkNames(rec, network, { fresh: rec });
    // linkers waiting for this container (it started, restarted with a new address, or connected later)
    await this.refreshLinkers(rec, network, { fresh: rec });
  }

  /** Whether `target` (a link's) names the endpoint's container: its name, id or an id prefix. */
  private names(target: string | undefined, r: EndpointRecord): boolean {
    if (!target) return false;
    return r.containerName === target || r.containerId === target || (target.length >= 3 && r.containerId.startsWith(target));
  }

  /** The endpoint is being unwired: every step best effort. */
  async unwiring(rec: EndpointRecord, network: NetworkRecord | undefined): Promise<void> {
    this.proxy.stop(endpointKey(rec));
    if (!network || rec.sandboxOnly || !rec.attachment.dnsNames) return;
    // its own links' names, and the aliases other containers' links gave it (they answer nothing while it is away)
    if (rec.config?.links?.length) {
      await this.deps.bridge.setLinks(network, rec.containerId, [])
        .catch((e: unknown) => this.deps.log.warn('cannot remove link names from aardvark-dns', { id: rec.containerId, error: String(e) }));
    }
    await this.refreshLinkers(rec, network, { gone: rec });
  }

  /** Rewrite the link names of every linker on the network whose links name `target`'s container. */
  private async refreshLinkers(target: EndpointRecord, network: NetworkRecord, change: { fresh?: EndpointRecord; gone?: EndpointRecord }): Promise<void> {
    if (!target.attachment.dnsNames) return;
    for (const linker of this.deps.endpoints()) {
      if (linker === target || linker.containerId === target.containerId || linker.state !== 'ready' || linker.sandboxOnly || linker.attachment.networkId !== network.id) continue;
      if (!(linker.config?.links ?? []).some((spec) => this.names(linkTarget(spec), target))) continue;
      await this.setLinkNames(linker, network, change)
        .catch((e: unknown) => this.deps.log.warn('cannot refresh link names', { id: linker.containerId, error: String(e) }));
    }
  }

  /** After the driver's teardown: the network's emptied DNAT chain goes with its last mapping (ports netavark forwarded). */
  async unwired(rec: EndpointRecord, network: NetworkRecord | undefined): Promise<void> {
    if (network && !rec.sandboxOnly && this.netavarkPorts(rec, network)) await this.sweepDnatChain(rec, network);
  }

  /** The container's process ended: its proxied ports close with the forwarded ones (releasePorts). */
  release(records: readonly EndpointRecord[]): void {
    for (const r of records) this.proxy.stop(endpointKey(r));
  }

  /** Whether netavark forwards (forwarded) some of the endpoint's ports: berth's own forwarder marks its plans `ports`. */
  private netavarkPorts(r: EndpointRecord, network: NetworkRecord): boolean {
    return Boolean(r.attachment.ports?.length && this.dnatPorts(r.attachment.ports, network).length && !(r.plan as { ports?: true } | undefined)?.ports);
  }

  /** At start: running containers' proxied ports open again (the proxy lives in the daemon). */
  async reopen(records: readonly EndpointRecord[], networkOf: (id: string) => NetworkRecord | undefined): Promise<void> {
    for (const rec of records.filter((r) => r.state === 'ready' && !r.sandboxOnly && r.attachment.ports?.length)) {
      const net = networkOf(rec.attachment.networkId);
      if (net) await this.startProxy(rec, net).catch((e: unknown) => this.deps.log.warn('cannot open the userland proxy of a running container', { id: rec.containerId, error: String(e) }));
    }
  }

  close(): void {
    this.proxy.stopAll();
  }

  /** Open the endpoint's proxied ports (none when --userland-proxy=false, as dockerd then has nothing to forward them). */
  private async startProxy(rec: EndpointRecord, network: NetworkRecord): Promise<void> {
    const ports = (rec.attachment.ports ?? []).filter((m) => this.proxied(m, network));
    if (!ports.length || !this.deps.userlandProxy || !rec.attachment.ipAddress) return;
    await this.proxy.start(endpointKey(rec), ports, rec.attachment.ipAddress);
  }

  /**
   * `--link target:alias` on a user-defined network: the alias answers the linking container alone
   * with the target's address on that network, through the embedded DNS (dockerd: no environment,
   * no /etc/hosts; dns-links.ts for how aardvark-dns scopes it). A target not on the network (or
   * not running) gives no name, as dockerd's resolver finds none. `fresh`: an endpoint wired this
   * moment, not yet recorded as ready; `gone`: one being unwired.
   */
  private async setLinkNames(rec: EndpointRecord, network: NetworkRecord, change: { fresh?: EndpointRecord; gone?: EndpointRecord }): Promise<void> {
    const links = rec.config?.links ?? [];
    // the default bridge's links are legacy ones (environment, /etc/hosts): the container's side
    if (!links.length || !rec.attachment.dnsNames) return;
    const candidates = change.fresh ? [change.fresh, ...this.deps.endpoints()] : this.deps.endpoints();
    const targets: DnsLinkTarget[] = links.flatMap((spec) => {
      const { target, alias } = parseDnsLink(spec);
      const hit = candidates.find((r) => (r.state === 'ready' || r === change.fresh) && !(change.gone && endpointKey(r) === endpointKey(change.gone)) && !r.sandboxOnly
        && r.attachment.networkId === network.id && r.attachment.ipAddress && this.names(target, r));
      return hit ? [{ alias, targetId: hit.containerId }] : [];
    });
    await this.deps.bridge.setLinks(network, rec.containerId, targets);
  }

  /**
   * The network's last DNAT mapping went with `gone`: netavark flushed its DNAT chain and left it;
   * delete it unless another endpoint of the network (wired or being wired) has DNAT ports. Under
   * the port book's lock, so no endpoint records ports meanwhile.
   */
  private async sweepDnatChain(gone: EndpointRecord, network: NetworkRecord): Promise<void> {
    await this.deps.ports.exclusive(async () => {
      const others = this.deps.endpoints().some((r) => r !== gone && endpointKey(r) !== endpointKey(gone) && !r.sandboxOnly
        && r.attachment.networkId === network.id && this.netavarkPorts(r, network));
      if (!others && (await removeEmptyDnatChain(this.deps.host, netavarkName(network)))) this.deps.log.debug('removed the empty DNAT chain', { network: network.name });
    }).catch((e: unknown) => this.deps.log.warn('cannot remove the empty DNAT chain', { network: network.name, error: String(e) }));
  }
}

/** A stored link's target, or undefined for one that does not parse (it never got a name). */
function linkTarget(spec: string): string | undefined {
  try {
    return parseDnsLink(spec).target;
  } catch {
    return undefined;
  }
}
