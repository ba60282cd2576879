import { InvalidArgumentError } from '../base/index.js';

/** An IPv4 prefix: the network address as an unsigned 32-bit number and its length. */
export interface Ipv4Prefix {
  network: number;
  prefixLen: number;
}

const OCTET_RE = /^(0|[1-9][0-9]{0,2})$/;

/** Parse a dotted-quad IPv4 address; undefined when it is not one. */
export function parseIpv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!OCTET_RE.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function prefixMask(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/** Parse "a.b.c.d/n"; refuses host bits set, as Docker does for subnets. */
export function parseCidr(s: string): Ipv4Prefix {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? undefined : parseIpv4(s.slice(0, slash));
  const lenText = slash < 0 ? '' : s.slice(slash + 1);
  const prefixLen = /^[0-9]{1,2}$/.test(lenText) ? Number(lenText) : NaN;
  if (addr === undefined || !(prefixLen >= 0 && prefixLen <= 32)) {
    throw new InvalidArgumentError(`Cannot parse subnet "${s}": expected an IPv4 CIDR such as 172.18.0.0/16`);
  }
  const network = (addr & prefixMask(prefixLen)) >>> 0;
  if (network !== addr) {
    throw new InvalidArgumentError(`Cannot use subnet "${s}": host bits are set, expected ${formatIpv4(network)}/${prefixLen}`);
  }
  return { network, prefixLen };
}

export function formatCidr(p: Ipv4Prefix): string {
  return `${formatIpv4(p.network)}/${p.prefixLen}`;
}

/** Number of addresses in the prefix, including network and broadcast. */
export function prefixSize(p: Ipv4Prefix): number {
  return 2 ** (32 - p.prefixLen);
}

export function prefixContains(p: Ipv4Prefix, ip: number): boolean {
  return ((ip & prefixMask(p.prefixLen)) >>> 0) === p.network;
}

export function prefixesOverlap(a: Ipv4Prefix, b: Ipv4Prefix): boolean {
  const len = Math.min(a.prefixLen, b.prefixLen);
  const m = prefixMask(len);
  return ((a.network & m) >>> 0) === ((b.network & m) >>> 0);
}

/**
 * Docker's classic MAC for an IPv4 endpoint: 02:42 followed by the four address
 * bytes. Deterministic, locally administered, and familiar in tcpdump output.
 */
export function macForIpv4(ip: number): string {
  const bytes = [0x02, 0x42, ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
