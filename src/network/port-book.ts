import { ConflictError, InvalidArgumentError, KeyedMutex, newId } from '../base/index.js';
import { allocatePorts, checkPortRequest, ephemeralRange, type PortProbe, type PortRequest } from './port-allocator.js';
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

  constructor(opts: { probe?: PortProbe; ephemeral?: [number, number]; defaultHostIp?: string }) {
    this.probe = opts.probe ?? probeHostPort;
    this.defaultHostIp = opts.defaultHostIp ?? '0.0.0.0';
    this.ephemeral = opts.ephemeral ?? ephemeralRange();
  }

  /** Choose host ports for `requests` against those `endpoints` hold, and record them with `record` before the lock is released. */
  async allocate<T>(containerName: string, ipv6Network: boolean, requests: readonly PortRequest[], endpoints: readonly { attachment: { ports?: PortMapping[] } }[], record: (mappings: PortMapping[]) => T): Promise<T> {
    for (const r of requests) {
      checkPortRequest(r);
      // netavark forwards IPv6 only into IPv6 networks; dockerd's docker-proxy would bridge the two, berth runs none
      if (r.hostIp.includes(':') && !ipv6Network) {
        throw new InvalidArgumentError(`Cannot publish port ${r.containerPort}/${r.protocol} on IPv6 address "${r.hostIp}": the network has no IPv6 and berth runs no userland proxy`);
      }
    }
    // dockerd's --ip: the address of a binding that names none
    requests = requests.map((r) => (r.hostIp === '' ? { ...r, hostIp: this.defaultHostIp } : r));
    return this.lock.run('ports', async () => {
      const inUse = endpoints.flatMap((e) => e.attachment.ports ?? []);
      const { mappings, cursor } = await allocatePorts(requests, { inUse, probe: this.probe, ephemeral: this.ephemeral, ...(this.cursor ? { cursor: this.cursor } : {}) })
        .catch((e: unknown) => {
          // dockerd's wording: the endpoint it was making, then the bind that failed
          if (e instanceof ConflictError) throw new ConflictError(`driver failed programming external connectivity on endpoint ${containerName.replace(/^\//, '')} (${newId()}): ${e.message}`);
          throw e;
        });
      this.cursor = cursor;
      return record(mappings);
    });
  }
}
