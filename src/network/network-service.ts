import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConflictError, errnoCode, InvalidArgumentError, newId, NotImplementedError, removeAtomicTemps, silentLogger, writeFileAtomic, type EngineEvent, type Logger,
} from '../base/index.js';
import { netnsPath } from '../host/index.js';
import { BridgeDriver } from './bridge-driver.js';
import { macForIpv4, parseIpv4 } from './cidr.js';
import type { EndpointRequest, NetworkDriver } from './driver.js';
import { EndpointStore, type EndpointRecord } from './endpoint-store.js';
import { HostDriver } from './host-driver.js';
import { buildHostsFile } from './hosts-file.js';
import { InstalledBridges } from './installed-bridges.js';
import { IpPool } from './ipam.js';
import { IpamStore } from './ipam-store.js';
import { KeyedMutex } from '../base/index.js';
import { realNetworkHost, type NetworkHost } from './network-host.js';
import { NetnsPool } from './netns-pool.js';
import { NetworkStore } from './network-store.js';
import { NullDriver } from './null-driver.js';
import { IccFirewall, type LinkOpening } from './icc.js';
import { PortBook } from './port-book.js';
import type { PortProbe } from './port-allocator.js';
import {
  chooseHostResolvConf, HOST_RESOLV_CONF, parseResolvConf, renderResolvConf, SYSTEMD_RESOLV_CONF, transformForLegacyNetwork,
} from './resolv-conf.js';
import type { AttachOptions, Attachment, DriverName, NetworkMode, NetworkRecord, PortMapping } from './types.js';

export const DEFAULT_BRIDGE_NAME = 'berth0';
export const DEFAULT_BRIDGE_SUBNET = '172.18.0.0/16';
export const DEFAULT_NETAVARK = '/usr/lib/podman/netavark';
const CONTAINER_IFACE = 'eth0';
const IFNAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;
const CONTAINER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export interface NetworkServiceOptions {
  /** <data-root>/networks: network records, IPAM leases, endpoint records. */
  root: string;
  /** Runtime directory (tmpfs): netavark's aardvark config. */
  execRoot: string;
  log?: Logger;
  /** `icc: false`: containers on the default bridge talk only over their links' ports (icc.ts). */
  bridge: { name?: string; subnet?: string; gateway?: string; mtu?: number; icc?: boolean };
  netavarkPath?: string;
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
  /** Published ports: whether a host process holds a port (a real bind unless a test passes one), the ephemeral range. */
  ports?: { probe?: PortProbe; ephemeral?: [number, number]; defaultHostIp?: string };
}

/** The namespace exists (so `runc create` can start); `done` settles when the endpoint is wired. */
export interface PendingAttachment {
  netnsPath?: string;
  /** The endpoint as planned: address and MAC are known before netavark runs (for /etc/hosts). */
  planned: Attachment;
  done: Promise<Attachment>;
}

/**
 * Networks and container endpoints. Owns network namespaces, IPAM and the
 * persisted endpoint records; drivers (netavark for bridge) do the wiring.
 * Every endpoint is recorded before its side effects start, so a restart can
 * finish or undo whatever a crash interrupted.
 */
export class NetworkService {
  private readonly containerLocks = new KeyedMutex();
  private readonly drivers: Record<DriverName, NetworkDriver>;
  private readonly bridgeDriver: BridgeDriver;

  private constructor(
    private readonly opts: NetworkServiceOptions,
    private readonly host: NetworkHost,
    private readonly log: Logger,
    private readonly networks: NetworkStore,
    private readonly ipam: IpamStore,
    private readonly endpoints: EndpointStore,
  ) {
    this.bridgeDriver = new BridgeDriver(host, { binary: opts.netavarkPath ?? DEFAULT_NETAVARK, configDir: join(opts.execRoot, 'netavark') }, log);
    this.drivers = { bridge: this.bridgeDriver, host: new HostDriver(), null: new NullDriver() };
    const daemonTag = createHash('sha256').update(opts.root).digest('hex').slice(0, 8);
    this.netnsPool = new NetnsPool({ host, prefix: `berth-p${daemonTag}-`, size: opts.netnsPool ?? 0, log });
    this.ports = new PortBook(opts.ports ?? {});
  }

  private readonly ports: PortBook;

  private readonly netnsPool: NetnsPool;
  /** The bridges (and so the netavark firewall state) this daemon set up; teardown() removes those it made. */
  private installed!: InstalledBridges;

  /** Delete the namespaces made ahead; endpoints and the bridge stay (containers keep running). */
  async close(): Promise<void> {
    await this.netnsPool.drain();
  }

  static async open(opts: NetworkServiceOptions): Promise<NetworkService> {
    const name = opts.bridge.name ?? DEFAULT_BRIDGE_NAME;
    if (!IFNAME_RE.test(name)) {
      throw new InvalidArgumentError(`Cannot use bridge name "${name}": expected 1-15 letters, digits, "_", "." or "-"`);
    }
    const pool = IpPool.create(opts.bridge.subnet ?? DEFAULT_BRIDGE_SUBNET, opts.bridge.gateway);
    const mtu = opts.bridge.mtu ?? 1500;
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new InvalidArgumentError(`Cannot use MTU ${mtu}: expected 68-65535`);
    await mkdir(opts.root, { recursive: true });
    await mkdir(join(opts.execRoot, 'netavark'), { recursive: true });
    const networks = await NetworkStore.open({
      file: join(opts.root, 'networks.json'),
      bridge: { name, subnet: pool.subnet, gateway: pool.gatewayIp, mtu },
    });
    const ipam = await IpamStore.open(join(opts.root, 'ipam'));
    const endpoints = await EndpointStore.open(join(opts.root, 'endpoints'));
    const log = opts.log ?? silentLogger;
    const svc = new NetworkService(opts, opts.host ?? realNetworkHost, log, networks, ipam, endpoints);
    await removeAtomicTemps(opts.root);
    svc.installed = await InstalledBridges.open(join(opts.root, 'installed.json'));
    await svc.recover();
    await svc.setIcc(opts.bridge.icc !== false, name);
    await svc.netnsPool.reclaim(new Set(svc.endpoints.all().flatMap((e) => (e.netnsName ? [e.netnsName] : []))));
    svc.netnsPool.refill();
    await ipam.ensurePool(networks.get('bridge').id, { subnet: pool.subnet, gateway: pool.gatewayIp });
    return svc;
  }

  private icc: IccFirewall | undefined;

  /** --icc=false installs the daemon's chain; back to true, a chain a previous run installed goes (a marker file says so). */
  private async setIcc(enabled: boolean, bridge: string): Promise<void> {
    const marker = join(this.opts.root, 'icc-chain');
    const fw = new IccFirewall(this.host, bridge);
    if (!enabled) {
      await fw.install();
      await writeFileAtomic(marker, fw.chain);
      this.icc = fw;
    } else if (readOptional(marker) !== undefined) {
      await fw.uninstall();
      await rm(marker, { force: true });
    }
  }

  /** Under --icc=false, open what a container's links allow (replacing what they allowed before). */
  async allowLinks(containerId: string, openings: readonly LinkOpening[]): Promise<void> {
    if (!this.icc) return;
    await this.icc.revoke(containerId);
    await this.icc.allow(containerId, openings);
  }

  list(): NetworkRecord[] {
    return this.networks.list();
  }

  /** NotFoundError `network <x> not found`. */
  get(idOrName: string): NetworkRecord {
    return this.networks.get(idOrName);
  }

  /** HostConfig.NetworkMode → one of the modes attach() takes. */
  validateMode(mode: string): NetworkMode {
    if (mode === '' || mode === 'default') return 'bridge';
    if (mode.startsWith('container:')) throw new NotImplementedError(`network mode "${mode}" is not supported yet`);
    const net = this.networks.get(mode);
    switch (net.driver) {
      case 'bridge': if (net.name === 'bridge') return 'bridge'; break;
      case 'host': return 'host';
      case 'null': return 'none';
    }
    throw new NotImplementedError(`network "${net.name}" is not supported yet: only bridge, host and none`);
  }

  /** The container's endpoint, as recorded (also after a daemon restart). */
  attachment(containerId: string): Attachment | undefined {
    const rec = this.endpoints.get(containerId);
    return rec?.state === 'ready' ? structuredClone(rec.attachment) : undefined;
  }

  /** The ready endpoints on a network (for `network inspect`'s Containers). */
  endpointsOf(networkId: string): { containerId: string; containerName: string; attachment: Attachment }[] {
    return this.endpoints.all()
      .filter((r) => r.state === 'ready' && r.attachment.networkId === networkId)
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
   * before starting the container's process.
   */
  async beginAttach(opts: AttachOptions): Promise<PendingAttachment> {
    if (!CONTAINER_ID_RE.test(opts.containerId)) throw new InvalidArgumentError(`Cannot attach container "${opts.containerId}": invalid id`);
    const network = this.networkForMode(opts.mode);
    const release = await this.containerLocks.acquire(opts.containerId);
    let handedOver = false;
    try {
      const existing = this.endpoints.get(opts.containerId);
      const stale = existing?.netnsName !== undefined && !(await this.host.netnsExists(existing.netnsName));
      if (existing?.state === 'ready' && !stale) {
        if (existing.attachment.mode !== opts.mode) {
          throw new ConflictError(`container ${opts.containerId} is already attached to network ${existing.attachment.mode}`);
        }
        const a = existing.attachment;
        return { netnsPath: a.netnsPath, planned: structuredClone(a), done: Promise.resolve(structuredClone(a)) };
      }
      if (existing) await this.undo(existing);

      const driver = this.drivers[network.driver];
      // Ports are chosen and recorded under one lock, so two starts never take the same one.
      const { rec, persisted } = network.driver === 'bridge' && opts.ports?.length
        ? await this.ports.allocate(opts.containerName, network.enableIPv6, opts.ports, this.endpoints.all(), (mappings) => this.record(opts, network, driver, mappings))
        : this.record(opts, network, driver);
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
      const done = persisted.then(() => this.connect(rec, network, driver, nsPath)).finally(release);
      done.catch(() => {}); // the caller owns the rejection; never an unhandled one
      handedOver = true;
      return { netnsPath: nsPath, planned: structuredClone(rec.attachment), done };
    } finally {
      if (!handedOver) release();
    }
  }

  /**
   * Undo the endpoints of every container not in `keep` (the containers that run): after a crash,
   * a container that stopped, never started or was removed while the daemon was away would
   * otherwise hold its namespace, veth and address for ever, and the subnet drains. Call at
   * start-up, before anything attaches.
   */
  async reclaim(keep: ReadonlySet<string>): Promise<void> {
    for (const rec of this.endpoints.all()) {
      if (keep.has(rec.containerId)) continue;
      this.log.info('releasing the endpoint of a container that does not run', { id: rec.containerId });
      await this.detach(rec.containerId).catch((e: unknown) => this.log.warn('cannot release endpoint', { id: rec.containerId, error: String(e) }));
    }
  }

  /** Undo attach: driver teardown, namespace, address, record. Idempotent. */
  async detach(containerId: string): Promise<void> {
    await this.containerLocks.run(containerId, async () => {
      const rec = this.endpoints.get(containerId);
      if (rec) await this.undo(rec);
    });
  }

  /**
   * The container's /etc/hosts (Docker's layout). In host mode without extra
   * hosts it is the host's own file, as Docker does.
   */
  hostsFile(opts: { hostname: string; domainname?: string; ip?: string; extraHosts?: string[]; mode?: NetworkMode }): string {
    if (opts.mode === 'host' && !opts.extraHosts?.length) {
      const text = readOptional(this.opts.hostsPath ?? '/etc/hosts');
      if (text !== undefined) return text;
    }
    const gateway = this.networks.get('bridge').ipam.config[0]?.gateway;
    return buildHostsFile({ ...opts, hostGateway: gateway });
  }

  /**
   * The container's /etc/resolv.conf, from the host's (systemd-resolved's upstream
   * list when the host file only names its stub). Outside host mode, loopback and
   * IPv6 nameservers are dropped and Docker's 8.8.8.8 / 8.8.4.4 fill an empty list.
   */
  resolvConf(opts: { mode?: NetworkMode; dns?: string[]; dnsSearch?: string[]; dnsOptions?: string[] } = {}): string {
    const hostPath = this.opts.resolvConfPath ?? HOST_RESOLV_CONF;
    const hostText = readOptional(hostPath);
    let sourcePath = hostPath;
    let text = hostText;
    if (chooseHostResolvConf(hostText) === 'systemd') {
      sourcePath = this.opts.systemdResolvConfPath ?? SYSTEMD_RESOLV_CONF;
      text = readOptional(sourcePath);
    }
    let rc = parseResolvConf(text ?? '');
    const ndotsFromHost = rc.options.some((o) => o.startsWith('ndots:'));
    const overrides = { nameservers: Boolean(opts.dns?.length), search: Boolean(opts.dnsSearch?.length), options: Boolean(opts.dnsOptions?.length) };
    if (overrides.nameservers) rc = { ...rc, nameservers: [...opts.dns!] };
    if (overrides.search) rc = { ...rc, search: opts.dnsSearch!.filter((s) => s !== '.') };
    if (overrides.options) rc = { ...rc, options: [...opts.dnsOptions!] };
    if (opts.mode === 'host') {
      return renderResolvConf({ rc, sourcePath, overrides, ndotsFromHost: ndotsFromHost && !overrides.options });
    }
    let usedDefaults = false;
    if (!overrides.nameservers) ({ rc, usedDefaults } = transformForLegacyNetwork(rc, { ipv6: false }));
    return renderResolvConf({ rc, sourcePath, transform: 'legacy', usedDefaults, overrides, ndotsFromHost: ndotsFromHost && !overrides.options });
  }

  /**
   * Remove the default bridge and its firewall rules (for tests and uninstall;
   * Docker leaves docker0 in place). netavark only drops them when the last veth
   * leaves, so a throwaway endpoint is attached and detached.
   */
  async removeDefaultBridge(): Promise<void> {
    const network = this.networks.get('bridge');
    if (this.endpoints.all().some((r) => r.attachment.networkId === network.id)) {
      throw new ConflictError(`error while removing network: network bridge id ${network.id} has active endpoints`);
    }
    if (!(await this.bridgeDriver.bridgeExists(network))) {
      await this.bridgeDriver.unpin(network);
      return;
    }
    const owner = this.netnsPool.scratchName();
    const lease = await this.ipam.allocate(network.id, owner);
    try {
      const netnsPath = await this.host.createNetns(owner, { loopbackUp: false });
      try {
        await this.bridgeDriver.flush({
          containerId: owner, containerName: owner, network, netnsPath, interfaceName: CONTAINER_IFACE,
          address: { ip: lease.ip, prefixLen: lease.prefixLen, gateway: lease.gateway, mac: macForIpv4(parseIpv4(lease.ip)!) },
        });
      } finally {
        await this.host.deleteNetns(owner);
      }
    } finally {
      await this.ipam.release(network.id, owner);
    }
  }

  /**
   * Explicit teardown (`berthd --cleanup`): remove the bridges this daemon recorded making, with
   * the keeper port and the firewall rules netavark installed for them. A bridge that existed
   * before berth first used it is left as it is, rules included (netavark would delete it). Refuses
   * while any container has an endpoint; a normal shutdown never calls this (live restore).
   */
  async teardown(): Promise<{ removed: string[]; kept: string[] }> {
    const busy = this.endpoints.all();
    if (busy.length) {
      throw new ConflictError(`Cannot tear down the network: ${busy.length} container(s) still have endpoints (${busy.map((e) => e.containerId.slice(0, 12)).join(', ')}); stop them first`);
    }
    const removed: string[] = [];
    const kept: string[] = [];
    if (this.icc) await this.icc.uninstall();
    await rm(join(this.opts.root, 'icc-chain'), { force: true });
    for (const entry of this.installed.all()) {
      const network = this.networks.find(entry.networkId);
      if (network && entry.madeByBerth && network.bridge === entry.bridge) {
        if (network.name !== 'bridge') throw new NotImplementedError(`Cannot tear down network "${network.name}": only the default bridge is supported`);
        await this.removeDefaultBridge();
        removed.push(entry.bridge);
      } else {
        if (!entry.madeByBerth) this.log.warn('leaving a bridge berth did not make, with its rules', { bridge: entry.bridge });
        kept.push(entry.bridge);
      }
      await this.installed.forget(entry.networkId);
    }
    return { removed, kept };
  }

  private networkForMode(mode: NetworkMode): NetworkRecord {
    switch (mode) {
      case 'bridge': return this.networks.get('bridge');
      case 'host': return this.networks.get('host');
      case 'none': return this.networks.get('none');
      default: throw new InvalidArgumentError(`Cannot attach with network mode "${String(mode)}": expected bridge, host or none`);
    }
  }

  /** Lease an address and write the 'creating' record (with the driver's plan) before any side effect. */
  /**
   * Lease an address and record the 'creating' endpoint (with the driver's plan) in memory at
   * once; `persisted` settles when both are on disk. No side effect may start before it does.
   */
  private record(opts: AttachOptions, network: NetworkRecord, driver: NetworkDriver, ports?: PortMapping[]): { rec: EndpointRecord; persisted: Promise<void> } {
    const leased = driver.needsAddress ? this.ipam.allocateNow(network.id, opts.containerId) : undefined;
    const lease = leased?.lease;
    const mac = lease ? opts.macAddress || macForIpv4(parseIpv4(lease.ip)!) : '';
    // bridge endpoints take a namespace made ahead (netavark brings lo up); none needs lo up at once
    const pooled = driver.netns && !driver.netns.loopbackUp ? this.netnsPool.take() : undefined;
    const netnsName = pooled ?? (driver.netns ? `berth-${opts.containerId.slice(0, 12)}-${randomBytes(3).toString('hex')}` : undefined);
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
      ...(ports?.length ? { ports } : {}),
    };
    const rec: EndpointRecord = {
      containerId: opts.containerId,
      containerName: opts.containerName.replace(/^\//, ''),
      state: 'creating',
      attachment,
      ...(netnsName ? { netnsName } : {}),
      ...(opts.config ? { config: opts.config } : {}),
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

  private async connect(rec: EndpointRecord, network: NetworkRecord, driver: NetworkDriver, nsPath: string | undefined): Promise<Attachment> {
    const started = performance.now();
    try {
      if (nsPath) rec.attachment.netnsPath = nsPath;
      if (network.driver === 'bridge') await this.installed.note(network, () => this.bridgeDriver.bridgeExists(network));
      const req = this.request(rec, network);
      const result = await driver.connect(req, rec.plan);
      const ready: EndpointRecord = { ...rec, state: 'ready', attachment: { ...rec.attachment, macAddress: result.macAddress || rec.attachment.macAddress } };
      await this.endpoints.put(ready);
      this.event('connect', network, rec.containerId);
      this.log.debug('network attached', { id: rec.containerId, mode: rec.attachment.mode, ms: Math.round(performance.now() - started) });
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
      interfaceName: CONTAINER_IFACE,
      ...(a.ipAddress ? { address: { ip: a.ipAddress, prefixLen: a.ipPrefixLen, gateway: a.gateway, mac: a.macAddress } } : {}),
      ...(a.ports?.length ? { portMappings: a.ports } : {}),
    };
  }

  /** Driver teardown (best effort), then namespace, address and record; each step tolerates being done. */
  private async undo(rec: EndpointRecord): Promise<void> {
    const a = rec.attachment;
    const network = this.networks.find(a.networkId);
    const hasNetns = rec.netnsName !== undefined && (await this.host.netnsExists(rec.netnsName));
    if (network) {
      const driver = this.drivers[network.driver];
      try {
        await driver.disconnect({
          containerId: rec.containerId, network, ...(hasNetns ? { netnsPath: a.netnsPath } : {}), plan: rec.plan,
          ...(rec.state === 'creating' ? { incomplete: true } : {}),
        });
      } catch (e) {
        // A failed teardown must not pin the container forever; the namespace goes next anyway.
        this.log.warn('network teardown failed', { id: rec.containerId, error: String(e) });
      }
    }
    await this.icc?.revoke(rec.containerId).catch((e: unknown) => this.log.warn('cannot remove link rules', { id: rec.containerId, error: String(e) }));
    if (rec.netnsName) await this.host.deleteNetns(rec.netnsName);
    if (a.ipAddress && this.ipam.pool(a.networkId)) await this.ipam.release(a.networkId, rec.containerId);
    await this.endpoints.delete(rec.containerId);
    if (network && rec.state === 'ready') this.event('disconnect', network, rec.containerId);
  }

  /** dockerd's network event: the container, then the network's name and driver. */
  private event(action: 'connect' | 'disconnect', network: NetworkRecord, containerId: string): void {
    this.opts.events?.publish({ type: 'network', action, actor: { id: network.id, attributes: { container: containerId, name: network.name, type: network.driver } } });
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
      for (const owner of pool.owners()) {
        if (!this.endpoints.get(owner)) await this.ipam.release(net.id, owner);
      }
    }
  }
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}
