import { createHash } from 'node:crypto';
import { InternalError, KeyedMutex, silentLogger, type Logger } from '../base/index.js';
import type { EndpointRelease, EndpointRequest, EndpointResult, NetworkDriver } from './driver.js';
import { Netavark, netavarkName, netavarkOptions, type NetavarkConfig, type NetavarkOptions } from './netavark.js';
import type { NetworkHost } from './network-host.js';
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

/** Bridge networks through netavark: veth pair, address, default route, masquerade. */
export class BridgeDriver implements NetworkDriver {
  readonly name = 'bridge' as const;
  readonly netns = { loopbackUp: false };
  readonly needsAddress = true;
  private readonly netavark: Netavark;
  private readonly locks = new KeyedMutex();

  constructor(private readonly host: NetworkHost, cfg: NetavarkConfig, private readonly log: Logger = silentLogger) {
    this.netavark = new Netavark(host, cfg);
  }

  plan(req: EndpointRequest): NetavarkOptions {
    if (!req.address) throw new InternalError('Cannot plan a bridge endpoint without an address');
    return netavarkOptions({
      containerId: req.containerId, containerName: req.containerName, network: req.network,
      interfaceName: req.interfaceName, ip: req.address.ip, mac: req.address.mac, portMappings: req.portMappings,
    });
  }

  async connect(req: EndpointRequest, plan: unknown): Promise<EndpointResult> {
    if (!req.netnsPath) throw new InternalError('Cannot connect a bridge endpoint without a network namespace');
    const netnsPath = req.netnsPath;
    const status = await this.guarded(req.network, () => this.netavark.setup(netnsPath, plan as NetavarkOptions));
    const mac = status[netavarkName(req.network)]?.interfaces?.[req.interfaceName]?.mac_address ?? req.address?.mac ?? '';
    try {
      await this.pin(req.network);
    } catch (e) {
      // Only costs speed on the next teardown; the endpoint itself works.
      this.log.warn('cannot pin bridge', { bridge: req.network.bridge, error: String(e) });
    }
    return { macAddress: mac };
  }

  async disconnect(req: EndpointRelease): Promise<void> {
    // Without the namespace the veth is gone already; netavark could not even open it.
    const netnsPath = req.netnsPath;
    if (!netnsPath || !req.plan) return;
    await this.guarded(req.network, () => this.netavark.teardown(netnsPath, req.plan as NetavarkOptions));
  }

  /**
   * Remove the bridge and its firewall rules: unpin, then set up and tear down
   * the throwaway endpoint `req` (its namespace and address are the caller's),
   * since netavark only drops them when the last veth leaves.
   */
  async flush(req: EndpointRequest): Promise<void> {
    const plan = this.plan(req);
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
  private async guarded<T>(network: NetworkRecord, fn: () => Promise<T>): Promise<T> {
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
