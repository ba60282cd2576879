import { isIPv4, isIPv6 } from 'node:net';
import { ConflictError, ForbiddenError, InvalidArgumentError, newId, NotFoundError } from '../base/index.js';
import { formatIpv4, parseCidr, parseIpv4, prefixContains, prefixesOverlap, type Ipv4Prefix } from './cidr.js';
import { formatIpv6, parseCidr6, parseIpv6, prefix6Contains, prefixes6Overlap } from './cidr6.js';
import type { IpamPoolConfig, NetworkRecord } from './types.js';

/** What `network create` asks for, in the engine's terms (api/routes converts the wire body). */
export interface NetworkCreateOptions {
  name: string;
  driver?: string;
  internal?: boolean;
  attachable?: boolean;
  enableIPv6?: boolean;
  ipam?: { driver?: string; config?: { subnet?: string; ipRange?: string; gateway?: string; auxAddresses?: Record<string, string> }[]; options?: Record<string, string> };
  options?: Record<string, string>;
  labels?: Record<string, string>;
}

/** Names dockerd refuses to let anyone create: the predefined networks. */
const PREDEFINED = new Set(['bridge', 'host', 'none', 'default']);
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const IFNAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;
/** The bridge driver options dockerd knows (com.docker.network.bridge.* and driver.mtu). */
const BRIDGE_OPTIONS = new Set([
  'com.docker.network.bridge.name', 'com.docker.network.bridge.enable_icc', 'com.docker.network.bridge.enable_ip_masquerade',
  'com.docker.network.bridge.host_binding_ipv4', 'com.docker.network.driver.mtu', 'com.docker.network.bridge.default_bridge',
  'com.docker.network.container_iface_prefix', 'com.docker.network.bridge.gateway_mode_ipv4', 'com.docker.network.bridge.inhibit_ipv4',
]);

/** Docker's default address pools for networks created without --subnet: 172.17-31.0.0/16, then 192.168.0-240.0/20. */
export function* defaultPoolCandidates(): Generator<string> {
  for (let b = 17; b <= 31; b++) yield `172.${b}.0.0/16`;
  for (let c = 0; c < 256; c += 16) yield `192.168.${c}.0/20`;
}

/** The subnets of dockerd's --default-address-pools, pool by pool: every /size of each base, in order. */
export function* addressPoolCandidates(pools: readonly { base: string; size: number }[]): Generator<string> {
  for (const pool of pools) {
    const base = parseCidr(pool.base);
    const step = 2 ** (32 - pool.size);
    const count = 2 ** (pool.size - base.prefixLen);
    for (let i = 0; i < count; i++) yield `${formatIpv4(base.network + i * step)}/${pool.size}`;
  }
}

/**
 * Check a create request and make the network's record: bridge driver only, subnets that do not
 * overlap `taken` (other networks' subnets and the host's routes, for chosen subnets), a gateway
 * and ranges inside the subnet. Pure: the service persists the record and makes its pool.
 */
export function planNetwork(opts: NetworkCreateOptions, ctx: {
  existing: readonly NetworkRecord[];
  hostRoutes: readonly string[];
  now?: Date;
  /** --default-address-pools; Docker's defaults when absent. */
  addressPools?: readonly { base: string; size: number }[];
}): NetworkRecord {
  const name = opts.name ?? '';
  if (!name) throw new InvalidArgumentError('network name must not be empty');
  if (!NAME_RE.test(name)) throw new InvalidArgumentError(`invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  if (PREDEFINED.has(name)) throw new ForbiddenError(`${name} is a pre-defined network and cannot be created`);
  if (ctx.existing.some((n) => n.name === name)) throw new ConflictError(`network with name ${name} already exists`);
  const driver = opts.driver || 'bridge';
  if (driver === 'host' || driver === 'null') throw new ForbiddenError(`only one instance of "${driver}" network is allowed`);
  if (driver !== 'bridge') throw new NotFoundError(`plugin "${driver}" not found`);
  if (opts.ipam?.driver && opts.ipam.driver !== 'default') throw new NotFoundError(`plugin "${opts.ipam.driver}" not found`);
  const options = { ...(opts.options ?? {}) };
  for (const k of Object.keys(options)) {
    if (k.startsWith('com.docker.network.') && !BRIDGE_OPTIONS.has(k)) throw new InvalidArgumentError(`unknown bridge network option "${k}"`);
  }
  for (const k of ['com.docker.network.bridge.enable_icc', 'com.docker.network.bridge.enable_ip_masquerade']) {
    if (options[k] !== undefined && !['true', 'false'].includes(options[k]!)) throw new InvalidArgumentError(`invalid value "${options[k]}" for ${k}: expected true or false`);
  }
  const mtu = options['com.docker.network.driver.mtu'];
  if (mtu !== undefined && !(/^[0-9]+$/.test(mtu) && Number(mtu) >= 68 && Number(mtu) <= 65535)) {
    throw new InvalidArgumentError(`invalid MTU "${mtu}": expected 68-65535`);
  }
  const id = newId();
  const bridge = options['com.docker.network.bridge.name'] ?? `br-${id.slice(0, 12)}`;
  if (!IFNAME_RE.test(bridge)) throw new InvalidArgumentError(`invalid bridge name "${bridge}": expected 1-15 letters, digits, "_", "." or "-"`);
  if (ctx.existing.some((n) => n.bridge === bridge)) throw new ConflictError(`bridge name ${bridge} is already in use by another network`);

  const requested = opts.ipam?.config ?? [];
  const v4 = requested.filter((c) => !c.subnet || !isIPv6(c.subnet.split('/')[0] ?? ''));
  const v6 = requested.filter((c) => c.subnet && isIPv6(c.subnet.split('/')[0] ?? ''));
  if (v6.length && !opts.enableIPv6) throw new InvalidArgumentError('invalid IPAM config: IPv6 subnets need --ipv6');
  if (v4.length > 1) throw new InvalidArgumentError('invalid IPAM config: berth handles one IPv4 subnet per network');
  const used = ctx.existing.flatMap((n) => n.ipam.config.filter((c) => isIPv4(c.subnet.split('/')[0] ?? '')).map((c) => parseCidr(c.subnet)));
  const config: IpamPoolConfig[] = [];
  const want = v4[0] ?? {};
  if (want.subnet) {
    const p = parseSubnet(want.subnet);
    if (used.some((u) => prefixesOverlap(u, p))) throw new ForbiddenError('invalid pool request: Pool overlaps with other one on this address space');
    config.push(poolConfig(p, want));
  } else {
    if (want.gateway || want.ipRange || want.auxAddresses) throw new InvalidArgumentError('invalid IPAM config: --gateway, --ip-range and --aux-address need --subnet');
    const routes = ctx.hostRoutes.flatMap((r) => { try { return [parseCidr(r)]; } catch { return []; } }).filter((r) => r.prefixLen > 0);
    const candidates = ctx.addressPools ? addressPoolCandidates(ctx.addressPools) : defaultPoolCandidates();
    let free: Ipv4Prefix | undefined;
    for (const text of candidates) {
      const c = parseCidr(text);
      if (!used.some((u) => prefixesOverlap(u, c)) && !routes.some((r) => prefixesOverlap(r, c))) {
        free = c;
        break;
      }
    }
    if (!free) throw new ForbiddenError('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
    config.push(poolConfig(free, {}));
  }
  if (v6.length > 1) throw new InvalidArgumentError('invalid IPAM config: berth handles one IPv6 subnet per network');
  const used6 = ctx.existing.flatMap((n) => n.ipam.config.filter((c) => c.subnet.includes(':')).map((c) => parseCidr6(c.subnet)));
  for (const c of v6) {
    const cfg = ipv6Config(c);
    if (used6.some((u) => prefixes6Overlap(u, parseCidr6(cfg.subnet)))) throw new ForbiddenError('invalid pool request: Pool overlaps with other one on this address space');
    config.push(cfg);
  }
  if (opts.enableIPv6 && !v6.length) throw new InvalidArgumentError('berth has no default IPv6 pool: give --ipv6 a --subnet such as fd00:1::/64');
  return {
    id, name, driver: 'bridge', scope: 'local', created: (ctx.now ?? new Date()).toISOString(),
    enableIPv4: true, enableIPv6: Boolean(opts.enableIPv6),
    ipam: { driver: 'default', config, ...(opts.ipam?.options && Object.keys(opts.ipam.options).length ? { options: { ...opts.ipam.options } } : {}) },
    internal: Boolean(opts.internal), attachable: Boolean(opts.attachable),
    options, labels: { ...(opts.labels ?? {}) }, bridge,
  };
}

function parseSubnet(s: string): Ipv4Prefix {
  const p = parseCidr(s);
  if (p.prefixLen > 30) throw new InvalidArgumentError(`invalid subnet ${s}: expected a prefix of /30 or shorter`);
  return p;
}

function poolConfig(p: Ipv4Prefix, want: { subnet?: string; ipRange?: string; gateway?: string; auxAddresses?: Record<string, string> }): IpamPoolConfig {
  const subnet = `${formatIpv4(p.network)}/${p.prefixLen}`;
  const inside = (ip: string, what: string): void => {
    const n = parseIpv4(ip);
    if (n === undefined) throw new InvalidArgumentError(`invalid ${what} address ${ip}: expected an IPv4 address`);
    if (!prefixContains(p, n)) throw new InvalidArgumentError(`invalid pool request: ${what} ${ip} is not in subnet ${subnet}`);
  };
  if (want.gateway) inside(want.gateway, 'gateway');
  if (want.ipRange) {
    const r = parseCidr(want.ipRange);
    if (r.prefixLen < p.prefixLen || !prefixContains(p, r.network)) throw new InvalidArgumentError(`invalid pool request: ip-range ${want.ipRange} is not in subnet ${subnet}`);
  }
  for (const [k, ip] of Object.entries(want.auxAddresses ?? {})) inside(ip, `auxiliary address ${k}:`);
  return {
    subnet, gateway: want.gateway ?? formatIpv4(p.network + 1),
    ...(want.ipRange ? { ipRange: want.ipRange } : {}),
    ...(want.auxAddresses && Object.keys(want.auxAddresses).length ? { auxAddresses: { ...want.auxAddresses } } : {}),
  };
}

function ipv6Config(c: { subnet?: string; gateway?: string; ipRange?: string }): IpamPoolConfig {
  const p = parseCidr6(c.subnet ?? '');
  if (p.prefixLen > 120) throw new InvalidArgumentError(`invalid subnet ${c.subnet}: expected a prefix of /120 or shorter`);
  if (c.ipRange) throw new InvalidArgumentError('invalid IPAM config: berth takes no --ip-range for an IPv6 subnet');
  const subnet = `${formatIpv6(p.network)}/${p.prefixLen}`;
  let gateway = formatIpv6(p.network + 1n);
  if (c.gateway) {
    const g = parseIpv6(c.gateway);
    if (g === undefined || !prefix6Contains(p, g)) throw new InvalidArgumentError(`invalid pool request: gateway ${c.gateway} is not in subnet ${subnet}`);
    gateway = formatIpv6(g);
  }
  return { subnet, gateway };
}
