import { ConflictError, InvalidArgumentError, UnavailableError } from '../base/index.js';
import { formatCidr, formatIpv4, parseCidr, parseIpv4, prefixContains, prefixSize, type Ipv4Prefix } from './cidr.js';

/** What a pool persists: its range and who holds which address. */
export interface IpPoolState {
  subnet: string;
  gateway: string;
  /** Where addresses are handed out from (--ip-range); the whole subnet when absent. */
  range?: string;
  /** address → owner (a container id, or a reserved owner name) */
  leases: Record<string, string>;
}

export interface Lease {
  ip: string;
  prefixLen: number;
  gateway: string;
}

/**
 * One IPv4 address pool (a network's subnet). Hands out the lowest free host
 * address, as Docker's default IPAM does; the network address, the broadcast
 * address and the gateway are never handed out. Pure: persistence is IpamStore's job.
 */
export class IpPool {
  readonly prefix: Ipv4Prefix;
  readonly gateway: number;
  readonly range: Ipv4Prefix | undefined;
  private readonly byIp = new Map<number, string>();

  constructor(state: IpPoolState) {
    this.prefix = parseCidr(state.subnet);
    if (this.prefix.prefixLen > 30) {
      throw new InvalidArgumentError(`Cannot use subnet "${state.subnet}": expected a prefix of /30 or shorter`);
    }
    const gw = parseIpv4(state.gateway);
    if (gw === undefined || !this.isHost(gw)) {
      throw new InvalidArgumentError(`Cannot use gateway "${state.gateway}": expected a host address inside ${state.subnet}`);
    }
    this.gateway = gw;
    if (state.range !== undefined) {
      const range = parseCidr(state.range);
      if (range.prefixLen < this.prefix.prefixLen || !prefixContains(this.prefix, range.network)) {
        throw new InvalidArgumentError(`Cannot use ip-range "${state.range}": expected a range inside ${state.subnet}`);
      }
      this.range = range;
    }
    this.restoreLeases(state.leases);
  }

  /** Replace the leases with a saved set (used to roll back a failed write). */
  restoreLeases(leases: Record<string, string>): void {
    this.byIp.clear();
    for (const [ip, owner] of Object.entries(leases)) {
      const n = parseIpv4(ip);
      if (n !== undefined && this.isHost(n) && n !== this.gateway) this.byIp.set(n, owner);
    }
  }

  /** A pool for `subnet` whose gateway defaults to the first host address. */
  static create(subnet: string, gateway?: string, opts: { range?: string; reserved?: Record<string, string> } = {}): IpPool {
    const prefix = parseCidr(subnet);
    const pool = new IpPool({
      subnet: formatCidr(prefix), gateway: gateway ?? formatIpv4(prefix.network + 1), leases: {}, ...(opts.range ? { range: opts.range } : {}),
    });
    for (const [owner, ip] of Object.entries(opts.reserved ?? {})) {
      const n = parseIpv4(ip);
      if (n === undefined || !pool.isHost(n)) throw new InvalidArgumentError(`Cannot reserve auxiliary address "${ip}": expected an address inside ${pool.subnet}`);
      if (n !== pool.gateway) pool.byIp.set(n, owner);
    }
    return pool;
  }

  get subnet(): string {
    return formatCidr(this.prefix);
  }

  get gatewayIp(): string {
    return formatIpv4(this.gateway);
  }

  /** Lease an address to `owner`; `preferred` asks for a specific one. */
  allocate(owner: string, opts: { preferred?: string } = {}): Lease {
    const ip = opts.preferred === undefined ? this.firstFree() : this.checkPreferred(opts.preferred);
    this.byIp.set(ip, owner);
    return this.lease(ip);
  }

  /** Give back every address `owner` holds; returns them. */
  release(owner: string): string[] {
    const freed: string[] = [];
    for (const [ip, o] of this.byIp) {
      if (o === owner) {
        this.byIp.delete(ip);
        freed.push(formatIpv4(ip));
      }
    }
    return freed;
  }

  leasesOf(owner: string): Lease[] {
    return [...this.byIp].filter(([, o]) => o === owner).map(([ip]) => this.lease(ip));
  }

  owners(): Set<string> {
    return new Set(this.byIp.values());
  }

  get size(): number {
    return this.byIp.size;
  }

  toState(): IpPoolState {
    const leases: Record<string, string> = {};
    for (const ip of [...this.byIp.keys()].sort((a, b) => a - b)) leases[formatIpv4(ip)] = this.byIp.get(ip)!;
    return { subnet: this.subnet, gateway: this.gatewayIp, ...(this.range ? { range: formatCidr(this.range) } : {}), leases };
  }

  private lease(ip: number): Lease {
    return { ip: formatIpv4(ip), prefixLen: this.prefix.prefixLen, gateway: this.gatewayIp };
  }

  private isHost(ip: number): boolean {
    const last = this.prefix.network + prefixSize(this.prefix) - 1;
    return prefixContains(this.prefix, ip) && ip !== this.prefix.network && ip !== last;
  }

  private firstFree(): number {
    const within = this.range ?? this.prefix;
    const last = within.network + prefixSize(within) - 1;
    for (let ip = within.network; ip <= last; ip++) {
      if (this.isHost(ip) && ip !== this.gateway && !this.byIp.has(ip)) return ip;
    }
    throw new UnavailableError(`no available IPv4 addresses on this network's address pools: ${this.subnet}`);
  }

  private checkPreferred(s: string): number {
    const ip = parseIpv4(s);
    if (ip === undefined || !this.isHost(ip) || ip === this.gateway) {
      throw new InvalidArgumentError(`Cannot assign address "${s}": expected a free host address inside ${this.subnet}`);
    }
    if (this.byIp.has(ip)) throw new ConflictError('Address already in use');
    return ip;
  }
}
