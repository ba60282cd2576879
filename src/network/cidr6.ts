import { isIPv6 } from 'node:net';
import { InvalidArgumentError } from '../base/index.js';

/** An IPv6 prefix: the network address as a 128-bit number and its length. */
export interface Ipv6Prefix {
  network: bigint;
  prefixLen: number;
}

const ALL = (1n << 128n) - 1n;

export function parseIpv6(s: string): bigint | undefined {
  if (!isIPv6(s) || s.includes('.') || s.includes('%')) return undefined;
  const [head, tail] = s.includes('::') ? s.split('::') as [string, string] : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** The canonical (RFC 5952) text of a 128-bit address. */
export function formatIpv6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

export function parseCidr6(s: string): Ipv6Prefix {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? undefined : parseIpv6(s.slice(0, slash));
  const lenText = slash < 0 ? '' : s.slice(slash + 1);
  const prefixLen = /^[0-9]{1,3}$/.test(lenText) ? Number(lenText) : NaN;
  if (addr === undefined || !(prefixLen >= 0 && prefixLen <= 128)) throw new InvalidArgumentError(`Cannot parse subnet "${s}": expected an IPv6 CIDR such as fd00:1::/64`);
  const mask = prefixLen === 0 ? 0n : (ALL << BigInt(128 - prefixLen)) & ALL;
  if ((addr & mask) !== addr) throw new InvalidArgumentError(`Cannot use subnet "${s}": host bits are set, expected ${formatIpv6(addr & mask)}/${prefixLen}`);
  return { network: addr, prefixLen };
}

export function prefix6Contains(p: Ipv6Prefix, ip: bigint): boolean {
  const mask = p.prefixLen === 0 ? 0n : (ALL << BigInt(128 - p.prefixLen)) & ALL;
  return (ip & mask) === p.network;
}

export function prefixes6Overlap(a: Ipv6Prefix, b: Ipv6Prefix): boolean {
  const len = Math.min(a.prefixLen, b.prefixLen);
  const mask = len === 0 ? 0n : (ALL << BigInt(128 - len)) & ALL;
  return (a.network & mask) === (b.network & mask);
}

/**
 * The IPv6 address an endpoint gets when it asks for none: the v6 subnet's address at the
 * offset its IPv4 address has in the v4 subnet (the IPv4 pool keeps that unique), moved past
 * the gateway if it lands on it.
 */
export function ipv6AtOffset(opts: { subnet6: string; gateway6: string; offset: number }): string {
  const p = parseCidr6(opts.subnet6);
  let ip = p.network + BigInt(opts.offset);
  if (ip === parseIpv6(opts.gateway6)) ip += 1n << 32n;
  return formatIpv6(ip);
}
