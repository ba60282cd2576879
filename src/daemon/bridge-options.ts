import { isIP } from 'node:net';
import { InvalidArgumentError } from '../base/index.js';
import { parseCidr, formatIpv4 } from '../network/index.js';

/** One of --default-address-pools: subnets of `size` bits carved out of `base`. */
export interface AddressPool {
  base: string;
  size: number;
}

/** The default bridge's daemon options (dockerd's flags and daemon.json keys of the same names). */
export interface BridgeOptions {
  /** --icc: containers on the default bridge may talk to each other (false: only over links). */
  icc: boolean;
  /** --ip: the host address of a published port given without one. */
  ip: string;
  /** --mtu: the bridge's and the containers' MTU. */
  mtu: number | undefined;
  /** --userland-proxy: IPv6 bindings into IPv4-only networks (and every binding without iptables) go through the daemon's proxy. */
  userlandProxy: boolean;
  /** --fixed-cidr: the default bridge hands out addresses from this subrange only. */
  fixedCidr: string | undefined;
  /** --ip-forward: set net.ipv4.ip_forward at start. */
  ipForward: boolean;
  /** --ip-masq: masquerade what leaves the default bridge's subnet. */
  ipMasq: boolean;
  /** --iptables: false, berth adds no iptables rule at all. */
  iptables: boolean;
  /** --default-address-pools: where user networks without --subnet take theirs. */
  defaultAddressPools: AddressPool[] | undefined;
}

/** dockerd's boolean flags take `--icc`, `--icc=false`: parseArgs gets them as strings. */
export const BOOL_FLAGS = ['icc', 'userland-proxy', 'ip-forward', 'ip-masq', 'iptables'] as const;

/** `--icc` alone means `--icc=true`, as Go's flag package reads it. */
export function normalizeBoolFlags(argv: readonly string[]): string[] {
  return argv.map((a) => (BOOL_FLAGS.some((f) => a === `--${f}`) ? `${a}=true` : a));
}

/** Go's strconv.ParseBool, with dockerd's wording. */
function parseBool(name: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  const s = String(v);
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw new InvalidArgumentError(`invalid argument "${s}" for "--${name}" flag: strconv.ParseBool: parsing "${s}": invalid syntax`);
}

/** An IPv4 prefix written as dockerd takes it ("10.1.0.0/16"); its network address form. */
function ipv4Prefix(flag: string, s: string): string {
  try {
    const p = parseCidr(s);
    return `${formatIpv4(p.network)}/${p.prefixLen}`;
  } catch {
    throw new InvalidArgumentError(`invalid argument "${s}" for "--${flag}" flag: invalid CIDR address: ${s}`);
  }
}

/** `base=10.10.0.0/16,size=24` (the flag, repeatable) as dockerd's PoolsOpt reads it. */
export function parseAddressPoolFlag(value: string): AddressPool {
  let base: string | undefined;
  let size: number | undefined;
  for (const field of value.split(',')) {
    const eq = field.indexOf('=');
    if (eq < 0) throw new InvalidArgumentError(`invalid argument "${value}" for "--default-address-pools" flag: invalid field '${field}' must be a key=value pair`);
    const key = field.slice(0, eq).toLowerCase();
    const val = field.slice(eq + 1);
    if (key === 'base') base = val;
    else if (key === 'size') {
      if (!/^-?\d+$/.test(val)) throw new InvalidArgumentError(`invalid argument "${value}" for "--default-address-pools" flag: invalid size value: "${val}" (must be integer)`);
      size = Number(val);
    } else throw new InvalidArgumentError(`invalid argument "${value}" for "--default-address-pools" flag: unexpected key '${key}' in '${field}'`);
  }
  return checkPool({ base: base ?? '', size: size ?? 0 });
}

function checkPool(p: { base: unknown; size: unknown }): AddressPool {
  if (typeof p.base !== 'string' || !p.base) throw new InvalidArgumentError('invalid default address pool: base is missing');
  if (p.base.includes(':')) throw new InvalidArgumentError(`invalid default address pool "${p.base}": berth takes IPv4 pools only`);
  const base = ipv4Prefix('default-address-pools', p.base);
  const bits = Number(base.split('/')[1]);
  if (typeof p.size !== 'number' || !Number.isInteger(p.size) || p.size < bits || p.size > 30) {
    throw new InvalidArgumentError(`invalid pools size: ${String(p.size)}: expected ${bits}-30 for base ${base}`);
  }
  return { base, size: p.size };
}

function addressPools(flag: unknown, file: unknown): AddressPool[] | undefined {
  if (Array.isArray(flag) && flag.length) return flag.map((v) => parseAddressPoolFlag(String(v)));
  if (file === undefined) return undefined;
  if (!Array.isArray(file)) throw new InvalidArgumentError('invalid default-address-pools: expected a list of {"base": "10.10.0.0/16", "size": 24}');
  return file.map((p: unknown) => {
    if (typeof p !== 'object' || p === null) throw new InvalidArgumentError('invalid default-address-pools: expected a list of {"base": "10.10.0.0/16", "size": 24}');
    const o = p as Record<string, unknown>;
    return checkPool({ base: o.base ?? o.Base, size: o.size ?? o.Size });
  });
}

export function bridgeOptions(flags: Record<string, unknown>, file: Record<string, unknown>): BridgeOptions {
  const pick = (key: string): unknown => flags[key] ?? file[key];
  const bool = (key: string, dflt: boolean): boolean => (pick(key) === undefined ? dflt : parseBool(key, pick(key)));
  const ip = String(pick('ip') ?? '0.0.0.0');
  if (!isIP(ip)) throw new InvalidArgumentError(`invalid argument "${ip}" for "--ip" flag: invalid IP address`);
  const mtuRaw = pick('mtu');
  let mtu: number | undefined;
  if (mtuRaw !== undefined && mtuRaw !== 0 && mtuRaw !== '0') {
    mtu = Number(mtuRaw);
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new InvalidArgumentError(`invalid argument "${String(mtuRaw)}" for "--mtu" flag: expected 68-65535`);
  }
  const fixed = pick('fixed-cidr');
  const iptables = bool('iptables', true);
  const ipMasq = bool('ip-masq', true);
  const icc = bool('icc', true);
  if (!iptables && !icc) throw new InvalidArgumentError('You specified --iptables=false with --icc=false. ICC=false uses iptables to function. Please set --icc or --iptables to true');
  return {
    icc,
    ip,
    mtu,
    userlandProxy: bool('userland-proxy', true),
    fixedCidr: fixed === undefined || fixed === '' ? undefined : ipv4Prefix('fixed-cidr', String(fixed)),
    ipForward: bool('ip-forward', true),
    // dockerd: masquerading is an iptables rule, so --iptables=false turns it off
    ipMasq: iptables ? ipMasq : false,
    iptables,
    defaultAddressPools: addressPools(flags['default-address-pools'], file['default-address-pools']),
  };
}
