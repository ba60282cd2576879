import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { AardvarkConfig } from './aardvark-config.js';
import type { DnsLinkTarget } from './dns-links.js';
import { InternalError, KeyedMutex, silentLogger, type Logger } from '../base/index.js';
import { NETNS_RUN_DIR } from '../host/index.js';
import type { EndpointRelease, EndpointRequest, EndpointResult, NetworkDriver } from './driver.js';
import { Netavark, netavarkName, netavarkOptions, type NetavarkConfig, type NetavarkOptions } from './netavark.js';
import type { NetworkHost } from './network-host.js';
import { forwardKey, PortForwarder } from './port-forward.js';
import type { NetworkRecord } from './types.js';

/**
 * Name of the placeholder port (a tap nobody reads) that keeps a bridge populated. netavark deletes a
 * bridge and all its firewall rules when its last veth leaves, and rebuilds them
 * for the next container: about 170 ms more per teardown and 20 ms more per setup
 * on these machines. Holding one port on the bridge keeps the bridge and its
 * NAT rules in place between containers, as Docker keeps docker0.
 */
export function keeperName(bridge: string): string {
  const tag = createHash('sha256').update(bridge).digest('hex').slice(0, 4);
  return `${bridge.slice(0, 9)}-k${tag}`;
}

/**
 * Host end of a container's veth: "veth" and the container ID's first 11 hex digits for eth0;
 * "vb<n>" and 12 hex digits for eth<n> (IFNAMSIZ allows 15 characters).
 */
export function hostVethName(containerId: string, interfaceName = 'eth0'): string {
  const n = /^eth([1-9])$/.exec(interfaceName)?.[1];
  return n ? `vb${n}${containerId.slice(0, 12)}` : `veth${containerId.slice(0, 11)}`;
}

/**
 * What connect will do: netavark's input, and when berth wires the veth itself its host end's
 * name and, on a network with DNS, the names aardvark-dns is told (netavark's network name).
 */
export interface BridgePlan {
  netavark: NetavarkOptions;
  veth?: { hostName: string };
  dns?: { network: string };
  /** The published ports are berth's DNAT rules (port-forward.ts), not netavark's. */
  ports?: true;
}

/**
 * Bridge networks through netavark: bridge, veth pair, address, default route, masquerade.
 *
 * netavark 1.4 re-checks every firewall rule of the network on each setup, spawning iptables
 * about 18 times (~45 ms here, on the critical path of every start). Once netavark has set a
 * network up in this daemon's life and its bridge is pinned, an endpoint without published ports
 * needs none of that: berth then wires its veth itself, as netavark would (docs/decisions/0007).
 */
export class BridgeDriver implements NetworkDriver {
  readonly name = 'bridge' as const;
  readonly netns = { loopbackUp: false };
  readonly needsAddress = true;
  private readonly netavark: Netavark;
  private readonly locks = new KeyedMutex();
  /** Networks whose bridge and firewall rules netavark has made or checked since start. */
  private readonly warm = new Set<string>();

  private readonly aardvark: AardvarkConfig;
  readonly forwarder: PortForwarder;

  constructor(private readonly host: NetworkHost, cfg: NetavarkConfig & { daemonTag: string }, private readonly log: Logger = silentLogger) {
    this.netavark = new Netavark(host, cfg);
    this.forwarder = new PortForwarder(host, cfg.daemonTag);
    this.aardvark = new AardvarkConfig(join(cfg.configDir, 'aardvark-dns'), { signal: (pid, sig) => host.signalProcess(pid, sig), udpSockets: (pid) => host.udpSockets(pid) });
  }

  plan(req: EndpointRequest): BridgePlan {
    if (!req.address) throw new InternalError('Cannot plan a bridge endpoint without an address');
    // IPv4 ports berth forwards itself; IPv6 ones (an IPv6 network) stay netavark's
    const ports = Boolean(req.portMappings?.length) && !req.network.enableIPv6 && req.portMappings!.every((m) => !m.hostIp.includes(':'));
    const netavark = netavarkOptions({
      containerId: req.containerId, containerName: req.containerName, network: req.network,
      interfaceName: req.interfaceName, ip: req.address.ip, mac: req.address.mac, ...(ports ? {} : { portMappings: req.portMappings }),
      ...(req.address.ip6 ? { ip6: req.address.ip6 } : {}),
      ...(req.dns ? { dns: req.dns } : {}),
    });
    // eth0..eth9 only (the host end's name); on a network with DNS, aardvark's file is changed as netavark would
    const direct = this.warm.has(req.network.id) && (ports || !req.portMappings?.length) && !req.network.internal && !req.network.enableIPv6
      && /^eth[0-9]$/.test(req.interfaceName);
    const forwarded = ports ? { ports: true as const } : {};
    if (!direct) return { netavark, ...forwarded };
    return { netavark, veth: { hostName: hostVethName(req.containerId, req.interfaceName) }, ...(req.dns ? { dns: { network: netavarkName(req.network) } } : {}), ...forwarded };
  }

  async connect(req: EndpointRequest, plan: unknown): Promise<EndpointResult> {
    if (!req.netnsPath) throw new InternalError('Cannot connect a bridge endpoint without a network namespace');
    const netnsPath = req.netnsPath;
    const p = plan as BridgePlan;
    const dnsReady = !p.dns || (await this.aardvark.serves(p.dns.network));
    if (p.veth && req.address && dnsReady && this.warm.has(req.network.id) && netnsPath.startsWith(`${NETNS_RUN_DIR}/`)) {
      try {
        const address = req.address;
        const dns = p.dns && req.dns ? { network: p.dns.network, ...req.dns } : undefined;
        // The veth, the names and the port rules are independent: made side by side (a name or a
        // rule that exists a moment before the address answers is harmless); any failure undoes all.
        const steps = await Promise.allSettled([
          this.wire(req, address, p.veth.hostName, netnsPath.slice(NETNS_RUN_DIR.length + 1)),
          dns && this.exclusive(req.network, () => this.aardvark.add(dns.network, {
            containerId: req.containerId, ipv4: [address.ip], ipv6: [], names: [req.containerName, ...dns.aliases],
            ...(dns.servers?.length ? { dnsServers: [...dns.servers] } : {}),
          })),
          p.ports && this.forwardPorts(req),
        ]);
        const failed = steps.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (failed) throw failed.reason;
        if (p.ports) await this.host.enableHairpin(p.veth.hostName);
        return { macAddress: req.address.mac };
      } catch (e) {
        // The bridge may have been deleted behind our back: netavark makes it again.
        this.log.warn('cannot wire veth; netavark does it', { id: req.containerId, error: String(e) });
        this.warm.delete(req.network.id);
        await this.host.deleteLink(p.veth.hostName).catch(() => {});
        if (p.dns) await this.exclusive(req.network, () => this.aardvark.remove(p.dns!.network, req.containerId)).catch(() => {});
        if (p.ports) await this.unpublish(req.containerId, req.network.id).catch(() => {});
      }
    }
    const status = await this.guarded(req.network, () => this.netavark.setup(netnsPath, p.netavark), { dns: Boolean(req.dns) });
    const mac = status[netavarkName(req.network)]?.interfaces?.[req.interfaceName]?.mac_address ?? req.address?.mac ?? '';
    try {
      await this.pin(req.network);
      this.warm.add(req.network.id);
    } catch (e) {
      // Only costs speed on the next teardown; the endpoint itself works.
      this.log.warn('cannot pin bridge', { bridge: req.network.bridge, error: String(e) });
    }
    if (p.ports) {
      await this.host.enableHairpin({ netns: netnsPath.slice(netnsPath.lastIndexOf('/') + 1), iface: req.interfaceName });
      await this.forwardPorts(req);
    }
    // netavark wired it: undo it through netavark too
    return { macAddress: mac, ...(p.veth ? { plan: { netavark: p.netavark, ...(p.ports ? { ports: true } : {}) } satisfies BridgePlan } : {}) };
  }

  /**
   * Forward the endpoint's published ports to its address. Its bridge port also hairpins (the
   * caller sets it): the container itself may use them through a host address.
   */
  private async forwardPorts(req: EndpointRequest): Promise<void> {
    const subnet = req.network.ipam.config.find((c) => !c.subnet.includes(':'))?.subnet;
    if (!req.address || !subnet) throw new InternalError(`Cannot publish ports of an endpoint without an IPv4 address on network ${req.network.name}`);
    await this.forwarder.publish({
      key: forwardKey(req.containerId, req.network.id), containerId: req.containerId, ip: req.address.ip, subnet, bridge: req.network.bridge, ports: req.portMappings ?? [],
    });
  }

  /** Stop forwarding an endpoint's published ports (done already is fine). */
  unpublish(containerId: string, networkId: string): Promise<void> {
    return this.forwarder.unpublish(forwardKey(containerId, networkId));
  }

  async disconnect(req: EndpointRelease): Promise<void> {
    const p = req.plan as BridgePlan | undefined;
    if (!p) return;
    // first of all: nothing may reach the address once it goes back to the pool
    if (p.ports && (this.forwarder.holds(forwardKey(req.containerId, req.network.id)) || req.incomplete)) await this.unpublish(req.containerId, req.network.id);
    // On a pinned bridge, netavark's teardown of an endpoint without ports only deletes the veth,
    // and deleting the namespace, which comes next, takes the pair with it without making us wait
    // for the kernel (~50 ms for an explicit delete here). Only a pair whose namespace is already
    // gone needs deleting by name.
    // A wiring the crash cut short may have left both ends on the host, where deleting the
    // namespace does not reach them.
    if (p.veth) {
      // the name and the veth are independent: both go side by side, and both are gone on return
      const dns = p.dns ? this.exclusive(req.network, () => this.aardvark.remove(p.dns!.network, req.containerId)).catch((e: unknown) => {
        // no file: aardvark stopped serving the network, so there is no name to take back
        this.log.warn('cannot remove the name from aardvark-dns', { id: req.containerId, error: String(e) });
      }) : undefined;
      const link = !req.netnsPath || req.incomplete || req.keepsNamespace ? this.host.deleteLink(p.veth.hostName) : undefined;
      await Promise.all([dns, link]);
      // a connect cut short may have fallen back to netavark: its interface goes through netavark
      const netnsPath = req.netnsPath;
      if (req.incomplete && netnsPath) {
        await this.guarded(req.network, () => this.netavark.teardown(netnsPath, p.netavark), { dns: Boolean(p.dns) }).catch(() => {});
      }
      return;
    }
    // Without the namespace the veth is gone already; netavark could not even open it.
    const netnsPath = req.netnsPath;
    if (!netnsPath) return;
    const name = netavarkName(req.network);
    const dns = Boolean(p.netavark.network_info[name]?.dns_enabled);
    // An endpoint netavark wired, without ports, on a pinned bridge: its teardown is the veth and the
    // aardvark line, which berth removes itself. netavark would also stop serving the network's
    // names once its last line went, and the next endpoint would pay for aardvark's restart.
    if (!req.incomplete && !p.netavark.port_mappings?.length && netnsPath.startsWith(`${NETNS_RUN_DIR}/`) && (await this.isPinned(req.network))) {
      try {
        if (dns) await this.exclusive(req.network, () => this.aardvark.remove(name, req.containerId));
        const iface = Object.values(p.netavark.networks)[0]?.interface_name;
        if (req.keepsNamespace && iface) await this.host.deleteLinkIn(netnsPath.slice(NETNS_RUN_DIR.length + 1), iface);
        return;
      } catch (e) {
        this.log.warn('cannot undo the endpoint; netavark does it', { id: req.containerId, error: String(e) });
      }
    }
    await this.guarded(req.network, () => this.netavark.teardown(netnsPath, p.netavark), { dns });
  }

  /** A linker's `--link` aliases on a network with DNS, answered to it alone (dns-links.ts); none: they go. */
  async setLinks(network: NetworkRecord, linkerId: string, links: readonly DnsLinkTarget[]): Promise<void> {
    const name = netavarkName(network);
    await this.exclusive(network, async () => {
      // no file: aardvark does not serve the network (its last container left), and a link has nothing to add
      if (links.length && !(await this.aardvark.serves(name))) return;
      await this.aardvark.setLinks(name, linkerId, links);
    });
  }

  /** Every name change has been read by aardvark-dns. */
  namesSettled(): Promise<void> {
    return this.aardvark.quiet();
  }

  /** A removed network's names: aardvark stops answering on its gateway. */
  async forgetNames(network: NetworkRecord): Promise<void> {
    await this.exclusive(network, () => this.aardvark.drop(netavarkName(network)));
  }

  private wire(req: EndpointRequest, address: NonNullable<EndpointRequest['address']>, hostName: string, netns: string): Promise<void> {
    const mtu = Number(req.network.options['com.docker.network.driver.mtu']) || undefined;
    // the namespace's first interface carries the default route; later ones add none (Docker's single default gateway)
    return this.host.wireVeth({
      hostName, bridge: req.network.bridge, netns, peerName: req.interfaceName, mac: address.mac,
      cidr: `${address.ip}/${address.prefixLen}`, ...(req.interfaceName === 'eth0' ? { gateway: address.gateway } : {}), ...(mtu ? { mtu } : {}),
    });
  }

  /**
   * Remove the bridge and its firewall rules: unpin, then set up and tear down
   * the throwaway endpoint `req` (its namespace and address are the caller's),
   * since netavark only drops them when the last veth leaves.
   */
  async flush(req: EndpointRequest): Promise<void> {
    this.warm.delete(req.network.id);
    const plan = this.plan(req).netavark;
    const netnsPath = req.netnsPath;
    if (!netnsPath) throw new InternalError('Cannot flush a bridge without a network namespace');
    await this.exclusive(req.network, async () => {
      await this.unpin(req.network);
      try {
        await this.netavark.setup(netnsPath, plan);
      } finally {
        await this.netavark.teardown(netnsPath, plan);
      }
    });
  }

  /** Run `fn` with no other netavark call on this bridge. */
  private exclusive<T>(network: NetworkRecord, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(network.bridge, fn);
  }

  /**
   * An unpinned bridge is created by the first setup and deleted by the last
   * teardown, and netavark does not lock: serialize. Once pinned, setups and
   * teardowns only add or remove their own veth and check rules that exist, so
   * they may run side by side.
   */
  private async guarded<T>(network: NetworkRecord, fn: () => Promise<T>, opts: { dns?: boolean } = {}): Promise<T> {
    // netavark rewrites aardvark's file of a DNS network without a lock berth shares: one at a time
    // there, and as one of aardvark's changes (aardvark-config.ts)
    if (opts.dns) return this.exclusive(network, () => this.aardvark.around(fn));
    return (await this.isPinned(network)) ? fn() : this.exclusive(network, fn);
  }

  /** Pinned: the keeper is a port of the bridge (a keeper whose bridge was deleted pins nothing). */
  isPinned(network: NetworkRecord): Promise<boolean> {
    return this.host.isBridgePort(network.bridge, keeperName(network.bridge));
  }

  /** Keep the bridge (and its firewall rules) after its last container leaves. */
  async pin(network: NetworkRecord): Promise<void> {
    const keeper = keeperName(network.bridge);
    if (await this.isPinned(network)) return;
    if (!(await this.host.linkExists(network.bridge))) return;
    // a keeper left detached by a deleted bridge goes first
    if (await this.host.linkExists(keeper)) await this.host.deleteLink(keeper);
    await this.host.addBridgePlaceholder({ name: keeper, bridge: network.bridge });
  }

  /** Let the next teardown of the last container remove the bridge and its rules. */
  async unpin(network: NetworkRecord): Promise<void> {
    await this.host.deleteLink(keeperName(network.bridge));
  }

  bridgeExists(network: NetworkRecord): Promise<boolean> {
    return this.host.linkExists(network.bridge);
  }
}
