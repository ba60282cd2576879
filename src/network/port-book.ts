import { ConflictError, InvalidArgumentError, KeyedMutex, newId } from '../base/index.js';
import { existsSync } from 'node:fs';
import { allocatePorts, checkPortRequest, ephemeralRange, portAllocatedError, type PortProbe, type PortRequest } from './port-allocator.js';
import { probeHostPort } from './port-probe.js';
import type { PortMapping } from './types.js';

/**
 * The daemon's published ports. The allocations themselves live in the endpoint records (persisted
 * before any rule is made, so they survive a restart or a kill -9); the book only serializes the
 * choice of ports with the recording of the endpoint that holds them.
 */
export class PortBook {
  private readonly lock = new KeyedMutex();
  private readonly probe: PortProbe;
  private readonly ephemeral: [number, number];
  private cursor: number | undefined;
  private readonly defaultHostIp: string;

  private readonly userlandProxy: boolean;
  private readonly hostIpv6: boolean;

  constructor(opts: { probe?: PortProbe; ephemeral?: [number, number]; defaultHostIp?: string; userlandProxy?: boolean; hostIpv6?: boolean }) {
    this.probe = opts.probe ?? probeHostPort;
    this.defaultHostIp = opts.defaultHostIp ?? '0.0.0.0';
    this.ephemeral = opts.ephemeral ?? ephemeralRange();
    this.userlandProxy = opts.userlandProxy ?? true;
    this.hostIpv6 = opts.hostIpv6 ?? existsSync('/proc/net/if_inet6');
  }

  /** Choose host ports for `requests` against those `endpoints` hold, and record them with `record` before the lock is released. */
  async allocate<T>(containerName: string, ipv6Network: boolean, requests: readonly PortRequest[], endpoints: readonly { attachment: { ports?: PortMapping[] } }[], record: (mappings: PortMapping[]) => T): Promise<T> {
    for (const r of requests) {
      checkPortRequest(r);
      // netavark forwards IPv6 only into IPv6 networks; into others the userland proxy does, as dockerd's docker-proxy
      if (r.hostIp.includes(':') && !ipv6Network && !this.userlandProxy) {
        throw new InvalidArgumentError(`Cannot publish port ${r.containerPort}/${r.protocol} on IPv6 address "${r.hostIp}": the network has no IPv6 and the userland proxy is off (--userland-proxy=false)`);
      }
    }
    // dockerd's --ip: the address of a binding that names none; with the default, both families
    // (0.0.0.0 and ::, one port), as dockerd 20.10+ publishes them
    const dual = this.defaultHostIp === '0.0.0.0' && this.hostIpv6 && (ipv6Network || this.userlandProxy);
    const twins = new Set<number>();
    requests = requests.map((r, i) => {
      if (r.hostIp !== '') return r;
      if (dual && r.protocol !== 'sctp') twins.add(i);
      return { ...r, hostIp: this.defaultHostIp };
    });
    return this.lock.run('ports', async () => {
      const inUse = endpoints.flatMap((e) => e.attachment.ports ?? []);
      const { mappings, cursor } = await allocatePorts(requests, { inUse, probe: this.probe, ephemeral: this.ephemeral, ...(this.cursor ? { cursor: this.cursor } : {}) })
        .then(async (a) => ({ ...a, mappings: await this.withTwins(a.mappings, twins) }))
        .catch((e: unknown) => {
          // dockerd's wording: the endpoint it was making, then the bind that failed
          if (e instanceof ConflictError) throw new ConflictError(`driver failed programming external connectivity on endpoint ${containerName.replace(/^\//, '')} (${newId()}): ${e.message}`);
          throw e;
        });
      this.cursor = cursor;
      return record(mappings);
    });
  }

  /** Run `fn` while no endpoint's ports are being chosen and recorded. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.run('ports', fn);
  }

  /** After each mapping of `twins` (by index), its IPv6 twin on the same port, which must be free too. */
  private async withTwins(mappings: PortMapping[], twins: ReadonlySet<number>): Promise<PortMapping[]> {
    const out: PortMapping[] = [];
    for (const [i, m] of mappings.entries()) {
      out.push(m);
      if (!twins.has(i)) continue;
      for (let p = m.hostPort; p < m.hostPort + m.range; p++) {
        if (!(await this.probe({ hostIp: '::', port: p, protocol: m.protocol }))) throw portAllocatedError('::', p);
      }
      out.push({ ...m, hostIp: '::' });
    }
    return out;
  }
}
