import { ConflictError, KeyedMutex } from '../base/index.js';
import { RecordStore } from '../store/index.js';
import { IpPool, type IpPoolState, type Lease } from './ipam.js';

/**
 * IP pools of every network, one JSON file per network under `dir`, rewritten
 * atomically on each change so that a kill -9 leaves the last committed leases.
 */
export class IpamStore {
  private readonly mutex = new KeyedMutex();

  private constructor(private readonly pools: RecordStore<IpPool>) {}

  static async open(dir: string): Promise<IpamStore> {
    return new IpamStore(await RecordStore.open<IpPool>({
      dir, layout: { kind: 'files' },
      decode: (doc) => new IpPool(doc as IpPoolState),
      encode: (pool) => pool.toState(),
    }));
  }

  pool(networkId: string): IpPool | undefined {
    return this.pools.get(networkId);
  }

  /** Create the pool, or check that the kept one still has this range. */
  ensurePool(networkId: string, opts: { subnet: string; gateway: string; range?: string; reserved?: Record<string, string> }): Promise<IpPool> {
    return this.mutex.run(networkId, async () => {
      const kept = this.pools.get(networkId);
      if (kept && kept.subnet === opts.subnet && kept.gatewayIp === opts.gateway) {
        const keptRange = kept.toState().range;
        if (keptRange === opts.range || opts.reserved) return kept;
        // the default bridge's --fixed-cidr changed: the leases stay, new ones come from the new range
        const { range: _old, ...state } = kept.toState();
        const pool = new IpPool({ ...state, ...(opts.range ? { range: opts.range } : {}) });
        await this.pools.put(networkId, pool);
        return pool;
      }
      if (kept && kept.size > 0) {
        throw new ConflictError(`Cannot change network ${networkId} to ${opts.subnet}: ${kept.size} addresses of ${kept.subnet} are still in use`);
      }
      const pool = IpPool.create(opts.subnet, opts.gateway, { ...(opts.range ? { range: opts.range } : {}), ...(opts.reserved ? { reserved: opts.reserved } : {}) });
      await this.pools.put(networkId, pool);
      return pool;
    });
  }

  allocate(networkId: string, owner: string, opts: { preferred?: string } = {}): Promise<Lease> {
    return this.change(networkId, (pool) => pool.allocate(owner, opts));
  }

  /**
   * Lease an address in memory at once; `persisted` settles once the pool is on disk (and gives
   * the address back if the write fails). Callers must not act on the lease before that.
   */
  allocateNow(networkId: string, owner: string, opts: { preferred?: string } = {}): { lease: Lease; persisted: Promise<void> } {
    const pool = this.pools.get(networkId);
    if (!pool) throw new ConflictError(`Cannot allocate on network ${networkId}: it has no address pool`);
    const lease = pool.allocate(owner, opts);
    // no fsync (docs/decisions/0014): a lease a power cut loses belonged to an endpoint the reboot took
    const persisted = this.mutex.run(networkId, () => this.pools.put(networkId, pool, { durable: false })).catch((e: unknown) => {
      pool.release(owner);
      throw e;
    });
    persisted.catch(() => {});
    return { lease, persisted };
  }

  /** No fsync (docs/decisions/0014): a release a power cut loses leaves a lease nobody holds, which start-up recovery releases. */
  release(networkId: string, owner: string): Promise<string[]> {
    return this.change(networkId, (pool) => pool.release(owner), { durable: false });
  }

  /** Forget a network's pool entirely. */
  drop(networkId: string): Promise<void> {
    return this.mutex.run(networkId, () => this.pools.delete(networkId));
  }

  /** Apply a change in memory, persist it, and roll memory back if the write fails. */
  private change<T>(networkId: string, fn: (pool: IpPool) => T, opts: { durable?: boolean } = {}): Promise<T> {
    return this.mutex.run(networkId, async () => {
      const pool = this.pools.get(networkId);
      if (!pool) throw new ConflictError(`Cannot allocate on network ${networkId}: it has no address pool`);
      const before = pool.toState();
      const result = fn(pool);
      try {
        await this.pools.put(networkId, pool, opts);
      } catch (e) {
        pool.restoreLeases(before.leases);
        throw e;
      }
      return result;
    });
  }
}
