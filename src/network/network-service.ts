import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConflictError, ForbiddenError, InvalidArgumentError, KeyedMutex, newId, removeAtomicTemps, silentLogger, writeFileAtomic, type EngineEvent, type Logger,
} from '../base/index.js';
import { netnsPath } from '../host/index.js';
import { BridgeDriver, type BridgePlan } from './bridge-driver.js';
import { flushBridge } from './bridge-removal.js';
import { macForIpv4, parseCidr, parseIpv4 } from './cidr.js';
import { formatIpv6, ipv6AtOffset, parseCidr6, parseIpv6, prefix6Contains } from './cidr6.js';
import { ContainerFiles, type ResolvConfRequest } from './container-files.js';
import type { EndpointRequest, NetworkDriver } from './driver.js';
import { EndpointStore, endpointKey, type EndpointRecord } from './endpoint-store.js';
import { HostDriver } from './host-driver.js';
import { InstalledBridges } from './installed-bridges.js';
import { IpPool } from './ipam.js';
import { IpamStore } from './ipam-store.js';
import { realNetworkHost, type NetworkHost } from './network-host.js';
import { planNetwork, type NetworkCreateOptions } from './network-create.js';
import { NetnsPool } from './netns-pool.js';
import { NetworkStore } from './network-store.js';
import { NullDriver } from './null-driver.js';
import { IccFirewall, type LinkOpening } from './icc.js';
import { applyMasquerade, type MasqueradeExemption } from './masquerade.js';
import { installNoIptablesShim } from './no-iptables.js';
import { forwardingShieldAt, installForwardingShield } from './forwarding-shield.js';
import { PortBook } from './port-book.js';
import { EndpointExtras } from './endpoint-extras.js';
import { forwardKey, type ForwardedEndpoint } from './port-forward.js';
import type { PortProbe } from './port-allocator.js';
import type { AttachOptions, Attachment, DriverName, EndpointConfig, NetworkMode, NetworkRecord, PortMapping } from './types.js';

export const DEFAULT_BRIDGE_NAME = 'berth0';
export const DEFAULT_BRIDGE_SUBNET = '172.18.0.0/16';
export const DEFAULT_NETAVARK = '/usr/lib/podman/netavark';
export const DEFAULT_AARDVARK = '/usr/lib/podman/aardvark-dns';
const IFNAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;
const CONTAINER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export interface NetworkServiceOptions {
  /** <data-root>/networks: network records, IPAM leases, endpoint records. */
  root: string;
  /** Runtime directory (tmpfs): netavark's aardvark config. */
  execRoot: string;
  log?: Logger;
  /** `icc: false`: containers on the default bridge talk only over their links' ports (icc.ts). */
  bridge: {
    name?: string; subnet?: string; gateway?: string; mtu?: number; icc?: boolean;
    /** --fixed-cidr: containers on the default bridge get addresses from this subrange only. */
    fixedCidr?: string;
    /** --ip-masq=false: the default bridge's subnet leaves unmasqueraded (masquerade.ts). */
    ipMasq?: boolean;
    /** `-b none`: no default bridge network; containers without --network get only loopback. */
    disabled?: boolean;
  };
  /** --default-address-pools: where user networks created without --subnet take theirs (Docker's defaults when absent). */
  addressPools?: readonly { base: string; size: number }[];
  netavarkPath?: string;
  aardvarkPath?: string;
  /** Side effects; the real host unless a test passes a fake. */
  host?: NetworkHost;
  /** Where the host's resolver and hosts files are (tests point elsewhere). */
  resolvConfPath?: string;
  systemdResolvConfPath?: string;
  hostsPath?: string;
  /** Namespaces to keep made ahead for bridge endpoints (0: make each on demand). */
  netnsPool?: number;
  /** Where connects and disconnects are reported (Docker's network events). */
  events?: { publish(event: EngineEvent): void };
  /**
   * Published ports: whether a host process holds a port (a real bind unless a test passes one), the ephemeral range;
   * `userlandProxy` false: no proxy for what DNAT cannot carry (dockerd's --userland-proxy).
   */
  ports?: { probe?: PortProbe; ephemeral?: [number, number]; defaultHostIp?: string; userlandProxy?: boolean; hostIpv6?: boolean };
  /** dockerd's --iptables (default true); false: every published port goes through the userland proxy. */
  iptables?: boolean;
  /** dockerd's --ip-forward (default true); false: netavark may not turn forwarding on (forwarding-shield.ts). */
  ipForward?: boolean;
}

/** The namespace exists (so `runc create` can start); `done` settles when the endpoint is wired. */
export interface PendingAttachment {
  netnsPath?: string;
  /** The endpoint as planned: address and MAC are known before netavark runs (for /etc/hosts). */
  planned: Attachment;
  done: Promise<Attachment>;
}

/** One endpoint of a container, with its network's name (container inspect's Networks map). */
export interface NamedAttachment {
  networkName: string;
  attachment: Attachment;
}

/** A later network for a running container (`network connect`). */
export interface ConnectOptions {
  containerId: string;
  containerName: string;
  network: string;
  config?: EndpointConfig;
  /** The container's --dns servers: the embedded DNS forwards to them. */
  dnsServers?: string[];
}

/**
 * Networks and container endpoints. Owns network namespaces, IPAM and the
 * persisted endpoint records; drivers (netavark for bridge) do the wiring.
 * Every endpoint is recorded before its side effects start, so a restart can
 * finish or undo whatever a crash interrupted. A container's first endpoint owns
 * its namespace; endpoints connected later join that namespace as eth1, eth2...
 */
export class NetworkService {
  private readonly containerLocks = new KeyedMutex();
  private readonly networkLocks = new KeyedMutex();
  private readonly drivers: Record<DriverName, NetworkDriver>;
  private readonly bridgeDriver: BridgeDriver;
  private readonly files: ContainerFiles;
  private readonly netnsPool: NetnsPool;
  /** The bridges (and so the netavark firewall state) this daemon set up; teardown() removes those it made. */
  private installed!: InstalledBridges;

  private constructor(
    private readonly opts: NetworkServiceOptions,
    private readonly host: NetworkHost,
    private readonly log: Logger,
    private readonly networks: NetworkStore,
    private readonly ipam: IpamStore,
    private readonly endpoints: EndpointStore,
  ) {
    const daemonTag = createHash('sha256').update(opts.root).digest('hex').slice(0, 8);
    this.bridgeDriver = new BridgeDriver(host, {
      binary: opts.netavarkPath ?? DEFAULT_NETAVARK, configDir: join(opts.execRoot, 'netavark'), aardvarkBinary: opts.aardvarkPath ?? DEFAULT_AARDVARK, daemonTag,
      ...(opts.iptables === false ? { pathPrefix: join(opts.root, 'no-iptables') } : {}),
      ...(opts.ipForward === false ? { forwardingShield: forwardingShieldAt(join(opts.root, 'forwarding-shield')) } : {}),
    }, log);
    this.drivers = { bridge: this.bridgeDriver, host: new HostDriver(), null: new NullDriver() };
    this.netnsPool = new NetnsPool({ host, prefix: `berth-p${daemonTag}-`, size: opts.netnsPool ?? 0, log });
    this.files = new ContainerFiles(opts);
    this.ports = new PortBook(opts.ports ?? {});
    this.extras = new EndpointExtras({
      host, log, bridge: this.bridgeDriver, ports: this.ports, endpoints: () => this.endpoints.all(),
      iptables: opts.iptables !== false, userlandProxy: opts.ports?.userlandProxy !== false,
    });
  }

  /** The userland proxy, user-network link names and the DNAT chain sweep (endpoint-extras.ts). */
  private readonly extras: EndpointExtras;

  private readonly ports: PortBook;
  /** Endpoints whose published ports were released when their container's process ended (releasePorts). */
  private readonly portsFreed = new Set<string>();
  private icc: IccFirewall | undefined;

  /** --icc=false installs the daemon's chain; back to true, a chain a previous run installed goes (a marker file says so). */
  private async setIcc(enabled: boolean, bridge: string): Promise<void> {
    const marker = join(this.opts.root, 'icc-chain');
    const fw = new IccFirewall(this.host, bridge);
    if (!enabled) {
      await fw.install();
      await writeFileAtomic(marker, fw.chain);
      this.icc = fw;
    } else if (existsSync(marker)) {
      await fw.uninstall();
      await rm(marker, { force: true });
    }
  }

  private masquerade: MasqueradeExemption | undefined;

  /** Under --icc=false, open what a container's links allow (replacing what they allowed before). */
  async allowLinks(containerId: string, openings: readonly LinkOpening[]): Promise<void> {
    if (!this.icc) return;
    await this.icc.revoke(containerId);
    await this.icc.allow(containerId, openings);
  }

  /** Delete the namespaces made ahead; endpoints and the bridge stay (containers keep running). */
  async close(): Promise<void> {
    this.extras.close();
    // a name change not yet signalled to aardvark-dns is, before the daemon goes
    await Promise.all([this.netnsPool.drain(), this.bridgeDriver.namesSettled()]);
  }

  static async open(opts: NetworkServiceOptions): Promise<NetworkService> {
    const name = opts.bridge.name ?? DEFAULT_BRIDGE_NAME;
    if (!IFNAME_RE.test(name)) {
      throw new InvalidArgumentError(`Cannot use bridge name "${name}": expected 1-15 letters, digits, "_", "." or "-"`);
    }
    const disabled = opts.bridge.disabled === true;
    const range = opts.bridge.fixedCidr;
    const pool = IpPool.create(opts.bridge.subnet ?? DEFAULT_BRIDGE_SUBNET, opts.bridge.gateway, range ? { range } : {});
    const mtu = opts.bridge.mtu ?? 1500;
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new InvalidArgumentError(`Cannot use MTU ${mtu}: expected 68-65535`);
    await mkdir(opts.root, { recursive: true });
    await mkdir(join(opts.execRoot, 'netavark'), { recursive: true });
    if (opts.iptables === false) await installNoIptablesShim(join(opts.root, 'no-iptables'));
    if (opts.ipForward === false) {
      await installForwardingShield(forwardingShieldAt(join(opts.root, 'forwarding-shield')), { aardvark: opts.aardvarkPath ?? DEFAULT_AARDVARK, daemonPid: process.pid });
    }
    const networks = await NetworkStore.open({
      file: join(opts.root, 'networks.json'),
      bridge: disabled ? undefined : { name, subnet: pool.subnet, gateway: pool.gatewayIp, mtu, ...(range ? { ipRange: range } : {}), ipMasq: opts.bridge.ipMasq !== false },
    });
    const ipam = await IpamStore.open(join(opts.root, 'ipam'));
    const endpoints = await EndpointStore.open(join(opts.root, 'endpoints'));
    const log = opts.log ?? silentLogger;
    const svc = new NetworkService(opts, opts.host ?? realNetworkHost, log, networks, ipam, endpoints);
    await removeAtomicTemps(opts.root);
    svc.installed = await InstalledBridges.open(join(opts.root, 'installed.json'));
    const bridgeNet = networks.find('bridge');
    if (bridgeNet) await ipam.ensurePool(bridgeNet.id, { subnet: pool.subnet, gateway: pool.gatewayIp, ...(range ? { range } : {}) });
    for (const net of networks.list()) if (net.driver === 'bridge' && net.name !== 'bridge') await svc.ensurePool(net);
    await svc.recover();
    await svc.forwardRecorded();
    if (!disabled) {
      await svc.setIcc(opts.bridge.icc !== false, name);
      // --iptables=false: no rule at all (dockerd then masquerades nothing either)
      svc.masquerade = await applyMasquerade({
        host: svc.host, marker: join(opts.root, 'no-masq-rule'), enabled: opts.bridge.ipMasq !== false || opts.iptables === false, bridge: name, subnet: pool.subnet,
      });
    }
    await svc.netnsPool.reclaim(new Set(svc.endpoints.all().flatMap((e) => (e.netnsName ? [e.netnsName] : []))));
    svc.netnsPool.refill();
    await svc.extras.reopen(svc.endpoints.all(), (id) => svc.networks.find(id));
    return svc;
  }

  list(): NetworkRecord[] {
    return this.networks.list();
  }

  /** NotFoundError `network <x> not found`. */
  get(idOrName: string): NetworkRecord {
    return this.networks.get(idOrName);
  }

  // ---- networks ---------------------------------------------------------------------

  /** `network create`: check, make the address pool, persist the record; the bridge appears with the first container. */
  async create(req: NetworkCreateOptions): Promise<NetworkRecord> {
    return this.networkLocks.run('', async () => {
      const rec = planNetwork(req, { existing: this.networks.list(), ...(this.opts.addressPools ? { addressPools: this.opts.addressPools } : {}), hostRoutes: req.ipam?.config?.some((c) => c.subnet) ? [] : await this.host.ipv4Routes() });
      await this.ensurePool(rec);
      try {
        await this.networks.add(rec);
      } catch (e) {
        await this.ipam.drop(rec.id).catch(() => {});
        throw e;
      }
      this.networkEvent('create', rec);
      return rec;
    });
  }

  /** `network rm`: refuses the predefined networks and networks with endpoints; removes the bridge berth made. */
  async remove(idOrName: string): Promise<void> {
    const rec = this.networks.get(idOrName);
    if (['bridge', 'host', 'none'].includes(rec.name)) throw new ForbiddenError(`${rec.name} is a pre-defined network and cannot be removed`);
    await this.networkLocks.run('', async () => {
      if (this.endpoints.all().some((r) => !r.sandboxOnly && r.attachment.networkId === rec.id)) {
        throw new ForbiddenError(`error while removing network: network ${rec.name} id ${rec.id} has active endpoints`);
      }
      await this.removeBridgeOf(rec);
      await this.networks.remove(rec.id);
      await this.ipam.drop(rec.id);
      this.networkEvent('destroy', rec);
    });
  }

  /** `network prune`: every user-defined network without endpoints that `keep` does not protect; returns their names. */
  async prune(keep: (rec: NetworkRecord) => boolean = () => false): Promise<string[]> {
    const removed: string[] = [];
    for (const rec of this.networks.list()) {
      if (['bridge', 'host', 'none'].includes(rec.name) || keep(rec)) continue;
      if (this.endpoints.all().some((r) => !r.sandboxOnly && r.attachment.networkId === rec.id)) continue;
      try {
        await this.remove(rec.id);
        removed.push(rec.name);
      } catch (e) {
        this.log.warn('cannot prune network', { network: rec.name, error: String(e) });
      }
    }
    return removed;
  }

  private async ensurePool(rec: NetworkRecord): Promise<void> {
    const c = rec.ipam.config.find((p) => !p.subnet.includes(':'));
    if (!c) return;
    const reserved = Object.fromEntries(Object.entries(c.auxAddresses ?? {}).map(([k, ip]) => [`aux:${k}`, ip]));
    await this.ipam.ensurePool(rec.id, { subnet: c.subnet, gateway: c.gateway, ...(c.ipRange ? { range: c.ipRange } : {}), reserved });
  }

  private async removeBridgeOf(rec: NetworkRecord): Promise<void> {
    const entry = this.installed.all().find((b) => b.networkId === rec.id);
    if (!entry) return;
    await this.bridgeDriver.forgetNames(rec).catch((e: unknown) => this.log.warn('cannot drop the network from aardvark-dns', { network: rec.name, error: String(e) }));
    if (entry.madeByBerth && entry.bridge === rec.bridge) await flushBridge({ host: this.host, ipam: this.ipam, driver: this.bridgeDriver, netnsPool: this.netnsPool }, rec);
    else this.log.warn('leaving a bridge berth did not make, with its rules', { bridge: entry.bridge });
    await this.installed.forget(rec.id);
  }

  // ---- modes and endpoints ----------------------------------------------------------------

  /** HostConfig.NetworkMode → one of the modes attach() takes ('bridge' for every bridge network, default or user-defined). */
  validateMode(mode: string): NetworkMode {
    // `-b none`: the default bridge mode gets loopback only, as dockerd's connectToNetwork disables networking then
    if ((mode === '' || mode === 'default' || mode === 'bridge') && !this.networks.find('bridge')) return 'none';
    if (mode === '' || mode === 'default') return 'bridge';
    if (mode.startsWith('container:')) {
      if (mode.length === 'container:'.length) throw new InvalidArgumentError(`invalid network mode: ${mode}`);
      return 'container';
    }
    const net = this.networks.get(mode);
    switch (net.driver) {
      case 'bridge': return 'bridge';
      case 'host': return 'host';
      case 'null': return 'none';
    }
  }

  /** The container's first endpoint, as recorded (also after a daemon restart). */
  attachment(containerId: string): Attachment | undefined {
    const rec = this.endpoints.get(containerId);
    return rec?.state === 'ready' && !rec.sandboxOnly ? structuredClone(rec.attachment) : undefined;
  }

  /** Every ready endpoint of the container, the first first (container inspect's Networks). */
  attachments(containerId: string): NamedAttachment[] {
    return this.endpoints.ofContainer(containerId)
      .filter((r) => r.state === 'ready' && !r.sandboxOnly)
      .map((r) => ({ networkName: this.networks.find(r.attachment.networkId)?.name ?? r.attachment.networkId, attachment: structuredClone(r.attachment) }));
  }

  /** The container's namespace, while it has one (`--network container:<it>` joins it). */
  sandboxPath(containerId: string): string | undefined {
    return this.endpoints.get(containerId)?.attachment.netnsPath;
  }

  /** The ready endpoints on a network (for `network inspect`'s Containers). */
  endpointsOf(networkId: string): { containerId: string; containerName: string; attachment: Attachment }[] {
    return this.endpoints.all()
      .filter((r) => r.state === 'ready' && !r.sandboxOnly && r.attachment.networkId === networkId)
      .map((r) => ({ containerId: r.containerId, containerName: r.containerName, attachment: structuredClone(r.attachment) }));
  }

  /**
   * Create the container's namespace (bridge, none), lease an address and wire
   * it (bridge). Attaching an attached container returns its endpoint.
   */
  async attach(opts: AttachOptions): Promise<Attachment> {
    return (await this.beginAttach(opts)).done;
  }

  /**
   * attach() in two steps: resolves once the namespace exists, so the runtime
   * can create the container while netavark wires the namespace; await `done`
   * before starting the container's process. The networks in `more` are connected
   * once the first is wired, before `done` settles.
   */
  async beginAttach(opts: AttachOptions): Promise<PendingAttachment> {
    if (!CONTAINER_ID_RE.test(opts.containerId)) throw new InvalidArgumentError(`Cannot attach container "${opts.containerId}": invalid id`);
    const network = this.networkForMode(opts.mode, opts.network);
    const more = (opts.more ?? []).map((m) => ({ network: this.networks.get(m.network), config: m.config }));
    if (more.length && network.driver !== 'bridge') {
      throw new InvalidArgumentError(`container cannot be connected to multiple networks with one of the networks in private (${network.name}) mode`);
    }
    const release = await this.containerLocks.acquire(opts.containerId);
    let handedOver = false;
    try {
      const existing = this.endpoints.get(opts.containerId);
      const stale = existing?.netnsName !== undefined && !(await this.host.netnsExists(existing.netnsName));
      if (existing?.state === 'ready' && !stale) {
        if (existing.attachment.networkId !== network.id) {
          throw new ConflictError(`container ${opts.containerId} is already attached to network ${existing.attachment.mode}`);
        }
        const a = existing.attachment;
        return { netnsPath: a.netnsPath, planned: structuredClone(a), done: Promise.resolve(structuredClone(a)) };
      }
      for (const rec of this.endpoints.ofContainer(opts.containerId).reverse()) await this.undo(rec);

      const driver = this.drivers[network.driver];
      const recordOpts = { ...opts, key: opts.containerId, interfaceName: 'eth0', owner: true };
      // Ports are chosen and recorded under one lock, so two starts never take the same one.
      const { rec, persisted } = network.driver === 'bridge' && opts.ports?.length
        ? await this.ports.allocate(opts.containerName, network.enableIPv6, opts.ports, this.endpoints.all().filter((r) => !this.portsFreed.has(endpointKey(r))), (mappings) => this.record(recordOpts, network, driver, mappings))
        : this.record(recordOpts, network, driver);
      let nsPath: string | undefined;
      try {
        // A namespace made ahead can be handed out before the record is durable: nothing has
        // touched it yet, and a crash before the write leaves it to reclaim() on the next start.
        if (rec.netnsName && this.netnsPool.owns(rec.netnsName)) nsPath = netnsPath(rec.netnsName);
        else {
          await persisted;
          if (rec.netnsName && driver.netns) nsPath = await this.host.createNetns(rec.netnsName, driver.netns);
        }
      } catch (e) {
        await this.undo(rec).catch((u: unknown) => this.log.warn('rollback failed', { id: opts.containerId, error: String(u) }));
        throw e;
      }
      const done = persisted.then(async () => {
        const first = await this.wire(rec, network, driver, nsPath);
        try {
          for (const m of more) {
            await this.connectLocked({ containerId: opts.containerId, containerName: opts.containerName, network: m.network.id, ...(m.config ? { config: m.config } : {}), ...(opts.dnsServers ? { dnsServers: opts.dnsServers } : {}) });
          }
        } catch (e) {
          for (const r of this.endpoints.ofContainer(opts.containerId).reverse()) await this.undo(r).catch(() => {});
          throw e;
        }
        return first;
      }).finally(release);
      done.catch(() => {}); // the caller owns the rejection; never an unhandled one
      handedOver = true;
      return { netnsPath: nsPath, planned: structuredClone(rec.attachment), done };
    } finally {
      if (!handedOver) release();
    }
  }

  /** `network connect` on a container that has its namespace (running): a new interface on `network`. */
  async connect(opts: ConnectOptions): Promise<Attachment> {
    return this.containerLocks.run(opts.containerId, () => this.connectLocked(opts));
  }

  private async connectLocked(opts: ConnectOptions): Promise<Attachment> {
    const network = this.networks.get(opts.network);
    const owner = this.endpoints.get(opts.containerId);
    if (!owner || owner.state !== 'ready') throw new ConflictError(`container ${opts.containerId} is not running`);
    const ownerNet = this.networks.find(owner.attachment.networkId);
    if (!owner.netnsName || owner.attachment.mode === 'host' || network.driver === 'host') {
      throw new ForbiddenError('container cannot be disconnected from host network or connected to host network');
    }
    if ((ownerNet?.driver === 'null' && !owner.sandboxOnly) || network.driver === 'null') {
      throw new ForbiddenError('container cannot be connected to multiple networks with one of the networks in private (none) mode');
    }
    const mine = this.endpoints.ofContainer(opts.containerId);
    if (mine.some((r) => !r.sandboxOnly && r.attachment.networkId === network.id)) {
      throw new ForbiddenError(`endpoint with name ${opts.containerName.replace(/^\//, '')} already exists in network ${network.name}`);
    }
    const used = new Set(mine.filter((r) => !r.sandboxOnly).map((r) => r.attachment.interfaceName ?? 'eth0'));
    let n = 0;
    while (used.has(`eth${n}`)) n++;
    const driver = this.drivers[network.driver];
    const key = owner.sandboxOnly && owner.attachment.networkId === network.id ? opts.containerId : `${opts.containerId}.${network.id.slice(0, 12)}`;
    if (key === opts.containerId) await this.endpoints.delete(owner);
    const { rec, persisted } = this.record({
      containerId: opts.containerId, containerName: opts.containerName, mode: 'bridge', key, interfaceName: `eth${n}`, owner: key === opts.containerId,
      netnsName: owner.netnsName, ...(opts.config ? { config: opts.config } : {}), ...(opts.dnsServers ? { dnsServers: opts.dnsServers } : {}),
    }, network, driver);
    await persisted;
    return this.wire(rec, network, driver, owner.attachment.netnsPath);
  }

  /** `network disconnect`: the container's endpoint on `network` goes; its namespace stays while it runs. */
  async disconnect(opts: { containerId: string; network: string; force?: boolean }): Promise<void> {
    const network = this.networks.get(opts.network);
    await this.containerLocks.run(opts.containerId, async () => {
      const rec = this.endpoints.ofContainer(opts.containerId).find((r) => !r.sandboxOnly && r.attachment.networkId === network.id);
      if (!rec) {
        if (opts.force) return;
        throw new ForbiddenError(`container ${opts.containerId} is not connected to network ${network.name}`);
      }
      if (rec.attachment.mode === 'host' || network.driver === 'host') {
        throw new ForbiddenError('container cannot be disconnected from host network or connected to host network');
      }
      if (endpointKey(rec) !== opts.containerId) {
        // a crash from here on leaves a record start-up finishes removing, not a 'ready' endpoint without its veth
        await this.endpoints.put({ ...rec, state: 'removing' });
        await this.undo(rec);
        return;
      }
      // the namespace's owner: unwire it and keep the record as the namespace's holder
      await this.unwire(rec, network, { keepNetns: true });
      const a = rec.attachment;
      const holder: EndpointRecord = {
        ...rec, sandboxOnly: true,
        attachment: { ...a, ipAddress: '', ipPrefixLen: 0, gateway: '', macAddress: '', bridge: '', interfaceName: '' },
      };
      delete holder.plan;
      await this.endpoints.put(holder);
    });
  }

  /**
   * Undo the endpoints of every container not in `keep` (the containers that run): after a crash,
   * a container that stopped, never started or was removed while the daemon was away would
   * otherwise hold its namespace, veth and address for ever, and the subnet drains. Call at
   * start-up, before anything attaches.
   */
  async reclaim(keep: ReadonlySet<string>): Promise<void> {
    const gone = new Set(this.endpoints.all().map((r) => r.containerId).filter((id) => !keep.has(id)));
    for (const id of gone) {
      this.log.info('releasing the endpoint of a container that does not run', { id });
      await this.detach(id).catch((e: unknown) => this.log.warn('cannot release endpoint', { id, error: String(e) }));
    }
  }

  /**
   * The container's process ended: its published ports stop being forwarded and are free for
   * others at once, before anyone learns of the exit (dockerd releases them first too); the rest
   * of its endpoints goes with detach().
   */
  async releasePorts(containerId: string): Promise<void> {
    this.extras.release(this.endpoints.ofContainer(containerId));
    const forwarded = (r: EndpointRecord): boolean => r.state === 'ready' && Boolean(r.attachment.ports?.length) && Boolean((r.plan as BridgePlan | undefined)?.ports);
    // most exits have no published port: no lock, no write
    if (!this.endpoints.ofContainer(containerId).some(forwarded)) return;
    await this.containerLocks.run(containerId, async () => {
      for (const r of this.endpoints.ofContainer(containerId).filter(forwarded)) {
        await this.bridgeDriver.unpublish(r.containerId, r.attachment.networkId);
        this.portsFreed.add(endpointKey(r));
      }
    });
  }

  /** At start-up: the published ports of every ready endpoint are forwarded (rules a crash left behind go). */
  private async forwardRecorded(): Promise<void> {
    const forwarded: ForwardedEndpoint[] = [];
    for (const r of this.endpoints.all()) {
      const network = this.networks.find(r.attachment.networkId);
      const subnet = network?.ipam.config.find((c) => !c.subnet.includes(':'))?.subnet;
      if (r.state !== 'ready' || !r.attachment.ports?.length || !(r.plan as BridgePlan | undefined)?.ports || !network || !subnet) continue;
      forwarded.push({ key: forwardKey(r.containerId, network.id), containerId: r.containerId, ip: r.attachment.ipAddress, subnet, bridge: network.bridge, ports: r.attachment.ports });
    }
    // a daemon that cannot program iptables still starts: its containers run, their ports do not answer
    if (forwarded.length) await this.bridgeDriver.forwarder.sync(forwarded).catch((e: unknown) => this.log.warn('cannot forward the published ports again', { error: String(e) }));
  }

  /** Undo attach and every connect: driver teardown, namespace, addresses, records. Idempotent. */
  async detach(containerId: string): Promise<void> {
    await this.containerLocks.run(containerId, async () => {
      for (const rec of this.endpoints.ofContainer(containerId).reverse()) await this.undo(rec);
    });
  }

  // ---- files ----------------------------------------------------------------------------

  /**
   * The container's /etc/hosts (Docker's layout). In host mode without extra
   * hosts it is the host's own file, as Docker does.
   */
  hostsFile(opts: { hostname: string; domainname?: string; ip?: string; extraHosts?: string[]; mode?: NetworkMode }): string {
    const gateway = this.networks.find('bridge')?.ipam.config[0]?.gateway;
    return this.files.hostsFile({ ...opts, ...(gateway ? { hostGateway: gateway } : {}) });
  }

  /**
   * The container's /etc/resolv.conf. A container with an endpoint on a user-defined network
   * asks the embedded DNS (aardvark-dns on each such network's gateway), which forwards
   * other names to the host's resolvers or --dns.
   */
  resolvConf(opts: ResolvConfRequest & { containerId?: string } = {}): string {
    const internalDns = opts.containerId ? this.dnsServersFor(opts.containerId) : [];
    return this.files.resolvConf({ ...opts, ...(internalDns.length ? { internalDns } : {}) });
  }

  private dnsServersFor(containerId: string): string[] {
    return this.endpoints.ofContainer(containerId)
      .filter((r) => !r.sandboxOnly && r.attachment.dnsNames?.length && r.attachment.gateway)
      .map((r) => r.attachment.gateway);
  }

  // ---- daemon teardown -----------------------------------------------------------------------

  /**
   * Remove the default bridge and its firewall rules (for tests and uninstall;
   * Docker leaves docker0 in place).
   */
  async removeDefaultBridge(): Promise<void> {
    const network = this.networks.find('bridge');
    if (!network) return;
    if (this.endpoints.all().some((r) => r.attachment.networkId === network.id)) {
      throw new ConflictError(`error while removing network: network bridge id ${network.id} has active endpoints`);
    }
    await flushBridge({ host: this.host, ipam: this.ipam, driver: this.bridgeDriver, netnsPool: this.netnsPool }, network);
  }

  /**
   * Explicit teardown (`berthd --cleanup`): remove the bridges this daemon recorded making, with
   * the keeper port and the firewall rules netavark installed for them. A bridge that existed
   * before berth first used it is left as it is, rules included (netavark would delete it). Refuses
   * while any container has an endpoint; a normal shutdown never calls this (live restore).
   */
  async teardown(): Promise<{ removed: string[]; kept: string[] }> {
    const busy = [...new Set(this.endpoints.all().map((e) => e.containerId))];
    if (busy.length) {
      throw new ConflictError(`Cannot tear down the network: ${busy.length} container(s) still have endpoints (${busy.map((id) => id.slice(0, 12)).join(', ')}); stop them first`);
    }
    const removed: string[] = [];
    const kept: string[] = [];
    if (this.icc) await this.icc.uninstall();
    await this.bridgeDriver.forwarder.uninstall();
    await rm(join(this.opts.root, 'icc-chain'), { force: true });
    if (this.masquerade) await this.masquerade.uninstall();
    await rm(join(this.opts.root, 'no-masq-rule'), { force: true });
    for (const entry of this.installed.all()) {
      const network = this.networks.find(entry.networkId);
      if (network) await this.bridgeDriver.forgetNames(network).catch((e: unknown) => this.log.warn('cannot drop the network from aardvark-dns', { network: network.name, error: String(e) }));
      if (network && entry.madeByBerth && network.bridge === entry.bridge) {
        await flushBridge({ host: this.host, ipam: this.ipam, driver: this.bridgeDriver, netnsPool: this.netnsPool }, network);
        removed.push(entry.bridge);
      } else {
        if (!entry.madeByBerth) this.log.warn('leaving a bridge berth did not make, with its rules', { bridge: entry.bridge });
        kept.push(entry.bridge);
      }
      await this.installed.forget(entry.networkId);
    }
    return { removed, kept };
  }

  // ---- internals -------------------------------------------------------------------------

  private networkForMode(mode: NetworkMode, name?: string): NetworkRecord {
    switch (mode) {
      case 'bridge': {
        const net = this.networks.get(name && name !== 'default' ? name : 'bridge');
        if (net.driver !== 'bridge') throw new InvalidArgumentError(`Cannot attach to network "${net.name}" in bridge mode: it uses the ${net.driver} driver`);
        return net;
      }
      case 'host': return this.networks.get('host');
      case 'none': return this.networks.get('none');
      default: throw new InvalidArgumentError(`Cannot attach with network mode "${String(mode)}": expected bridge, host or none`);
    }
  }

  /**
   * Lease an address and record the 'creating' endpoint (with the driver's plan) in memory at
   * once; `persisted` settles when both are on disk. No side effect may start before it does.
   */
  private record(
    opts: AttachOptions & { key: string; interfaceName: string; owner: boolean; netnsName?: string },
    network: NetworkRecord, driver: NetworkDriver, ports?: PortMapping[],
  ): { rec: EndpointRecord; persisted: Promise<void> } {
    const userNetwork = network.driver === 'bridge' && network.name !== 'bridge';
    const cfg = opts.config;
    if (!userNetwork && network.driver === 'bridge') {
      if (cfg?.ipv4Address) throw new InvalidArgumentError('user specified IP address is supported on user defined networks only');
      if (cfg?.aliases?.length) throw new InvalidArgumentError('network-scoped alias is supported only for containers in user defined networks');
    }
    const leased = driver.needsAddress
      ? this.ipam.allocateNow(network.id, opts.containerId, cfg?.ipv4Address ? { preferred: cfg.ipv4Address } : {})
      : undefined;
    const lease = leased?.lease;
    const mac = lease ? (cfg?.macAddress || opts.macAddress)?.toLowerCase() || macForIpv4(parseIpv4(lease.ip)!) : '';
    // bridge endpoints take a namespace made ahead (netavark brings lo up); none needs lo up at once
    const pooled = opts.owner && driver.netns && !driver.netns.loopbackUp ? this.netnsPool.take() : undefined;
    const netnsName = opts.netnsName ?? pooled ?? (driver.netns ? `berth-${opts.containerId.slice(0, 12)}-${randomBytes(3).toString('hex')}` : undefined);
    const v6 = lease && network.enableIPv6 ? this.ipv6For(network, lease.ip, cfg?.ipv6Address) : undefined;
    const name = opts.containerName.replace(/^\//, '');
    const aliases = cfg?.aliases?.filter((a) => a) ?? [];
    const attachment: Attachment = {
      mode: opts.mode,
      ...(netnsName ? { netnsPath: netnsPath(netnsName) } : {}),
      networkId: network.id,
      endpointId: newId(),
      ipAddress: lease?.ip ?? '',
      ipPrefixLen: lease?.prefixLen ?? 0,
      gateway: lease?.gateway ?? '',
      macAddress: mac,
      bridge: network.bridge,
      ...(lease ? { interfaceName: opts.interfaceName } : {}),
      ...(aliases.length ? { aliases } : {}),
      ...(userNetwork ? { dnsNames: [...new Set([name, opts.containerId.slice(0, 12), ...aliases])] } : {}),
      ...(cfg?.ipv4Address || cfg?.ipv6Address ? { ipamConfig: { ...(cfg.ipv4Address ? { ipv4Address: cfg.ipv4Address } : {}), ...(cfg.ipv6Address ? { ipv6Address: cfg.ipv6Address } : {}) } } : {}),
      ...(v6 ? { globalIPv6Address: v6.ip, globalIPv6PrefixLen: v6.prefixLen, ipv6Gateway: v6.gateway } : {}),
      ...(ports?.length ? { ports } : {}),
    };
    const rec: EndpointRecord = {
      ...(opts.key !== opts.containerId ? { key: opts.key } : {}),
      containerId: opts.containerId,
      containerName: name,
      state: 'creating',
      attachment,
      ...(opts.owner && netnsName ? { netnsName } : {}),
      ...(cfg ? { config: cfg } : {}),
      ...(opts.dnsServers?.length ? { dnsServers: opts.dnsServers } : {}),
    };
    rec.plan = driver.plan(this.request(rec, network));
    const persisted = Promise.all([leased?.persisted, this.endpoints.putNow(rec)]).then(
      () => {},
      async (e: unknown) => {
        if (lease) await this.ipam.release(network.id, opts.containerId).catch(() => {});
        if (pooled) await this.host.deleteNetns(pooled).catch(() => {});
        throw e;
      },
    );
    persisted.catch(() => {});
    return { rec, persisted };
  }

  private async wire(rec: EndpointRecord, network: NetworkRecord, driver: NetworkDriver, nsPath: string | undefined): Promise<Attachment> {
    const started = performance.now();
    try {
      if (nsPath) rec.attachment.netnsPath = nsPath;
      if (network.driver === 'bridge') await this.installed.note(network, () => this.bridgeDriver.bridgeExists(network));
      const req = this.request(rec, network);
      const result = await driver.connect(req, rec.plan);
      await this.extras.wired(rec, network);
      const ready: EndpointRecord = {
        ...rec, state: 'ready', attachment: { ...rec.attachment, macAddress: result.macAddress || rec.attachment.macAddress },
        ...(result.plan !== undefined ? { plan: result.plan } : {}),
      };
      await this.endpoints.put(ready);
      this.event('connect', network, rec.containerId);
      this.log.debug('network attached', { id: rec.containerId, network: network.name, ms: Math.round(performance.now() - started) });
      return structuredClone(ready.attachment);
    } catch (e) {
      await this.undo(rec).catch((u: unknown) => this.log.warn('rollback failed', { id: rec.containerId, error: String(u) }));
      throw e;
    }
  }

  private request(rec: EndpointRecord, network: NetworkRecord): EndpointRequest {
    const a = rec.attachment;
    return {
      containerId: rec.containerId,
      containerName: rec.containerName,
      network,
      ...(a.netnsPath ? { netnsPath: a.netnsPath } : {}),
      interfaceName: a.interfaceName || 'eth0',
      ...(a.ipAddress ? { address: { ip: a.ipAddress, prefixLen: a.ipPrefixLen, gateway: a.gateway, mac: a.macAddress, ...(a.globalIPv6Address ? { ip6: a.globalIPv6Address } : {}) } } : {}),
      ...(a.dnsNames ? { dns: { aliases: a.dnsNames, ...(rec.dnsServers?.length ? { servers: rec.dnsServers } : {}) } } : {}),
      ...(a.ports?.length && this.extras.dnatPorts(a.ports, network).length ? { portMappings: this.extras.dnatPorts(a.ports, network) } : {}),
    };
  }

  /**
   * The endpoint's IPv6 address: the one asked for (--ip6, inside the subnet), else the subnet's
   * address at the IPv4 address's offset, which the IPv4 pool already keeps unique per network.
   */
  private ipv6For(network: NetworkRecord, ip4: string, asked?: string): { ip: string; prefixLen: number; gateway: string } | undefined {
    const c6 = network.ipam.config.find((c) => c.subnet.includes(':'));
    const c4 = network.ipam.config.find((c) => !c.subnet.includes(':'));
    if (!c6 || !c4) return undefined;
    const p6 = parseCidr6(c6.subnet);
    const gateway = parseIpv6(c6.gateway)!;
    if (asked) {
      const n = parseIpv6(asked);
      if (n === undefined || !prefix6Contains(p6, n) || n === gateway || n === p6.network) {
        throw new InvalidArgumentError(`Cannot assign address "${asked}": expected a host address inside ${c6.subnet}`);
      }
      const ip = n;
      return { ip: formatIpv6(ip), prefixLen: p6.prefixLen, gateway: c6.gateway };
    }
    return { ip: ipv6AtOffset({ subnet6: c6.subnet, gateway6: c6.gateway, offset: parseIpv4(ip4)! - parseCidr(c4.subnet).network }), prefixLen: p6.prefixLen, gateway: c6.gateway };
  }

  /** Driver teardown (best effort) and the address; the namespace too unless `keepNetns`. */
  private async unwire(rec: EndpointRecord, network: NetworkRecord | undefined, opts: { keepNetns: boolean }): Promise<void> {
    const a = rec.attachment;
    await this.extras.unwiring(rec, network);
    const owner = this.endpoints.get(rec.containerId);
    const nsName = rec.netnsName ?? owner?.netnsName;
    const hasNetns = nsName !== undefined && a.netnsPath !== undefined && (await this.host.netnsExists(nsName));
    if (network && !rec.sandboxOnly) {
      const driver = this.drivers[network.driver];
      try {
        await driver.disconnect({
          containerId: rec.containerId, network, ...(hasNetns ? { netnsPath: a.netnsPath } : {}), plan: rec.plan,
          ...(rec.state === 'creating' ? { incomplete: true } : {}),
          // a veth berth wired itself only goes with its namespace: one that stays needs it deleted
          ...(opts.keepNetns || !rec.netnsName ? { keepsNamespace: true } : {}),
        });
      } catch (e) {
        // A failed teardown must not pin the container forever; the namespace goes next anyway.
        this.log.warn('network teardown failed', { id: rec.containerId, error: String(e) });
      }
    }
    await this.extras.unwired(rec, network);
    await this.icc?.revoke(rec.containerId).catch((e: unknown) => this.log.warn('cannot remove link rules', { id: rec.containerId, error: String(e) }));
    if (rec.netnsName && !opts.keepNetns) await this.host.deleteNetns(rec.netnsName);
    if (a.ipAddress && this.ipam.pool(a.networkId)) await this.ipam.release(a.networkId, rec.containerId);
    if (network && rec.state === 'ready' && !rec.sandboxOnly) this.event('disconnect', network, rec.containerId);
  }

  /** unwire() everything and forget the record; each step tolerates being done. */
  private async undo(rec: EndpointRecord): Promise<void> {
    await this.unwire(rec, this.networks.find(rec.attachment.networkId), { keepNetns: false });
    await this.endpoints.delete(rec);
    this.portsFreed.delete(endpointKey(rec));
  }

  /** dockerd's network event: the container, then the network's name and driver. */
  private event(action: 'connect' | 'disconnect', network: NetworkRecord, containerId: string): void {
    this.opts.events?.publish({ type: 'network', action, actor: { id: network.id, attributes: { container: containerId, name: network.name, type: network.driver } } });
  }

  private networkEvent(action: 'create' | 'destroy', network: NetworkRecord): void {
    this.opts.events?.publish({ type: 'network', action, actor: { id: network.id, attributes: { name: network.name, type: network.driver } } });
  }

  /** Roll back endpoints a crash left half made, and leases nobody holds. */
  private async recover(): Promise<void> {
    for (const rec of this.endpoints.all()) {
      if (rec.state === 'ready') continue;
      this.log.info('rolling back interrupted network attach', { id: rec.containerId });
      await this.undo(rec).catch((e: unknown) => this.log.warn('rollback failed', { id: rec.containerId, error: String(e) }));
    }
    for (const net of this.networks.list()) {
      const pool = this.ipam.pool(net.id);
      if (!pool) continue;
      const holders = new Set(this.endpoints.all().filter((r) => !r.sandboxOnly && r.attachment.networkId === net.id).map((r) => r.containerId));
      for (const owner of pool.owners()) {
        if (!owner.startsWith('aux:') && !holders.has(owner)) await this.ipam.release(net.id, owner);
      }
    }
  }
}
