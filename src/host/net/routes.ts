import { readFile } from 'node:fs/promises';

/**
 * The host's IPv4 routes as "a.b.c.d/n" (from /proc/net/route, whose addresses are
 * little-endian hex), so a new network's subnet can avoid what the host already reaches.
 */
export async function ipv4Routes(file = '/proc/net/route'): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return parseRouteTable(text);
}

export function parseRouteTable(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || !/^[0-9A-Fa-f]{8}$/.test(f[1]!) || !/^[0-9A-Fa-f]{8}$/.test(f[7]!)) continue;
    const dest = leToOctets(f[1]!);
    const mask = parseInt(f[7]!.match(/../g)!.reverse().join(''), 16) >>> 0;
    let len = 0;
    for (let m = mask; m & 0x80000000; m = (m << 1) >>> 0) len++;
    out.push(`${dest}/${len}`);
  }
  return out;
}

function leToOctets(hex: string): string {
  return hex.match(/../g)!.reverse().map((b) => parseInt(b, 16)).join('.');
}
