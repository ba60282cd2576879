import type { PortSummary } from '../../api/types/index.js';

function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function group(key: string, first: number, last: number): string {
  const parts = key.split('/');
  const ip = parts.length > 1 ? parts[0]! : '';
  const type = parts.length > 1 ? parts[1]! : parts[0]!;
  let g = String(first);
  if (first !== last) g += `-${last}`;
  if (ip) g = `${joinHostPort(ip, g)}->${g}`;
  return `${g}/${type}`;
}

/**
 * The PORTS column of `ps`: consecutive ports merged into ranges ("80-81/tcp"),
 * published ones as "0.0.0.0:8080->80/tcp", sorted as docker sorts them.
 */
export function displayablePorts(ports: readonly PortSummary[] | undefined | null): string {
  const sorted = [...(ports ?? [])].sort((a, b) => {
    if (a.PrivatePort !== b.PrivatePort) return a.PrivatePort - b.PrivatePort;
    if ((a.IP ?? '') !== (b.IP ?? '')) return (a.IP ?? '') < (b.IP ?? '') ? -1 : 1;
    if ((a.PublicPort ?? 0) !== (b.PublicPort ?? 0)) return (a.PublicPort ?? 0) - (b.PublicPort ?? 0);
    return a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0;
  });
  const groups = new Map<string, { first: number; last: number }>();
  const order: string[] = [];
  const result: string[] = [];
  const hostMappings: string[] = [];
  for (const p of sorted) {
    const cur = p.PrivatePort;
    let key: string = p.Type;
    if (p.IP) {
      if ((p.PublicPort ?? 0) !== cur) {
        hostMappings.push(`${joinHostPort(p.IP, String(p.PublicPort ?? 0))}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { first: cur, last: cur });
      order.push(key);
      continue;
    }
    if (cur === g.last + 1) {
      g.last = cur;
      continue;
    }
    result.push(group(key, g.first, g.last));
    groups.set(key, { first: cur, last: cur });
  }
  for (const k of order) {
    const g = groups.get(k)!;
    result.push(group(k, g.first, g.last));
  }
  return [...result, ...hostMappings].join(', ');
}
