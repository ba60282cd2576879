import { readFileSync } from 'node:fs';
import { ConflictError, InvalidArgumentError } from '../base/index.js';
import type { PortMapping } from './types.js';

/** One container port to publish, as HostConfig.PortBindings (and -P) ask for it. */
export interface PortRequest {
  containerPort: number;
  protocol: PortMapping['protocol'];
  /** '' for every address (0.0.0.0). */
  hostIp: string;
  /** 0 for a port of the ephemeral range; a range [start, end] means any free one in it. */
  hostPortStart: number;
  hostPortEnd: number;
}

/** Whether a host process could bind the address (nothing else listens there). */
export type PortProbe = (p: { hostIp: string; port: number; protocol: PortMapping['protocol'] }) => Promise<boolean>;

export const DEFAULT_EPHEMERAL_RANGE: [number, number] = [49153, 60999];

/** The kernel's ephemeral range, as dockerd reads it; dockerd's default when unreadable. */
export function ephemeralRange(path = '/proc/sys/net/ipv4/ip_local_port_range'): [number, number] {
  try {
    const [lo, hi] = readFileSync(path, 'utf8').trim().split(/\s+/).map(Number);
    if (lo && hi && lo <= hi && hi <= 65535) return [lo, hi];
  } catch {
    // fall back to dockerd's default
  }
  return DEFAULT_EPHEMERAL_RANGE;
}

function isAny(ip: string): boolean {
  return ip === '' || ip === '0.0.0.0' || ip === '::';
}

/** Two bindings of one protocol and port collide unless they name two different specific addresses. */
function overlaps(a: { hostIp: string; protocol: string; hostPort: number }, b: PortMapping): boolean {
  if (a.protocol !== b.protocol) return false;
  if (a.hostPort < b.hostPort || a.hostPort >= b.hostPort + b.range) return false;
  return isAny(a.hostIp) || isAny(b.hostIp) || a.hostIp === b.hostIp;
}

/** How Docker names a binding in its errors: `0.0.0.0:8080`, `[::1]:8080`. */
export function bindAddress(hostIp: string, port: number): string {
  const ip = hostIp === '' ? '0.0.0.0' : hostIp;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function portAllocatedError(hostIp: string, port: number): ConflictError {
  return new ConflictError(`Bind for ${bindAddress(hostIp, port)} failed: port is already allocated`);
}

/**
 * Choose the host port of each request: the one asked for, or the first free one of its range or
 * of the ephemeral range (after the last one handed out, as dockerd goes round). A port is taken
 * when another endpoint holds it (`inUse`, the persisted allocations), when an earlier request of
 * the same container took it, or when a host process listens there (`probe`).
 */
export async function allocatePorts(requests: readonly PortRequest[], opts: {
  inUse: readonly PortMapping[];
  probe: PortProbe;
  ephemeral: [number, number];
  /** Where the ephemeral search starts (the port after the last one given). */
  cursor?: number;
}): Promise<{ mappings: PortMapping[]; cursor: number }> {
  const taken: PortMapping[] = [...opts.inUse];
  const mappings: PortMapping[] = [];
  let cursor = opts.cursor ?? opts.ephemeral[0];
  for (const r of requests) {
    const hostIp = r.hostIp === '' ? '0.0.0.0' : r.hostIp;
    const free = async (port: number): Promise<boolean> =>
      !taken.some((m) => overlaps({ hostIp, protocol: r.protocol, hostPort: port }, m)) && (await opts.probe({ hostIp, port, protocol: r.protocol }));
    let chosen: number | undefined;
    if (r.hostPortStart !== 0 && r.hostPortStart === r.hostPortEnd) {
      if (!(await free(r.hostPortStart))) throw portAllocatedError(hostIp, r.hostPortStart);
      chosen = r.hostPortStart;
    } else if (r.hostPortStart !== 0) {
      for (let p = r.hostPortStart; p <= r.hostPortEnd && chosen === undefined; p++) if (await free(p)) chosen = p;
      if (chosen === undefined) throw portAllocatedError(hostIp, r.hostPortStart);
    } else {
      const [lo, hi] = opts.ephemeral;
      const size = hi - lo + 1;
      const start = cursor < lo || cursor > hi ? lo : cursor;
      for (let i = 0; i < size && chosen === undefined; i++) {
        const p = lo + ((start - lo + i) % size);
        if (await free(p)) chosen = p;
      }
      if (chosen === undefined) throw new ConflictError(`Bind for ${bindAddress(hostIp, 0)} failed: all ports of the range ${lo}-${hi} are allocated`);
      cursor = chosen + 1;
    }
    const m: PortMapping = { hostIp, hostPort: chosen, containerPort: r.containerPort, protocol: r.protocol, range: 1 };
    taken.push(m);
    mappings.push(m);
  }
  return { mappings, cursor };
}

/** Refuse a request the kernel could not honour, before anything is allocated. */
export function checkPortRequest(r: PortRequest): void {
  const port = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 65535;
  if (!port(r.containerPort)) throw new InvalidArgumentError(`invalid port specification: "${r.containerPort}"`);
  if (r.hostPortStart !== 0 && (!port(r.hostPortStart) || !port(r.hostPortEnd) || r.hostPortEnd < r.hostPortStart)) {
    throw new InvalidArgumentError(`invalid port specification: "${r.hostPortStart}-${r.hostPortEnd}"`);
  }
}
