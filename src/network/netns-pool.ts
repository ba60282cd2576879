import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import type { Logger } from '../base/index.js';
import { NETNS_RUN_DIR } from '../host/index.js';
import type { NetworkHost } from './network-host.js';

/**
 * A few network namespaces made ahead of time for bridge endpoints: `ip netns add` costs
 * 5–15 ms here, on the critical path of every container start. Names carry a per-daemon prefix,
 * so a daemon only ever reclaims its own spares.
 */
export class NetnsPool {
  private spare: string[] = [];
  private filling: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly o: { host: NetworkHost; prefix: string; size: number; log: Logger }) {}

  /**
   * A name for a short-lived namespace outside the pool (removeDefaultBridge's throwaway endpoint):
   * it carries the pool's prefix, so that reclaim() deletes it if a crash leaves it behind.
   */
  scratchName(): string {
    return `${this.o.prefix}flush${randomBytes(3).toString('hex')}`;
  }

  owns(name: string): boolean {
    return name.startsWith(this.o.prefix);
  }

  /** A ready namespace, or undefined when the pool is empty; refills in the background. */
  take(): string | undefined {
    const name = this.spare.shift();
    this.refill();
    return name;
  }

  refill(): void {
    if (this.closed || this.filling || this.spare.length >= this.o.size) return;
    let failed = false;
    this.filling = (async () => {
      while (!this.closed && this.spare.length < this.o.size) {
        const name = `${this.o.prefix}${randomBytes(4).toString('hex')}`;
        await this.o.host.createNetns(name, { loopbackUp: false });
        this.spare.push(name);
      }
    })()
      .catch((e: unknown) => { failed = true; this.o.log.warn('cannot fill the network namespace pool', { error: String(e) }); })
      // a take() between the loop's end and this point found the fill still running: fill again
      .finally(() => { this.filling = undefined; if (!failed) this.refill(); });
  }

  /** Delete spares a previous run left behind (a crash); `inUse` are names endpoints hold. */
  async reclaim(inUse: ReadonlySet<string>): Promise<void> {
    const names = await readdir(NETNS_RUN_DIR).catch(() => [] as string[]);
    for (const name of names) {
      if (this.owns(name) && !inUse.has(name) && !this.spare.includes(name)) await this.o.host.deleteNetns(name);
    }
  }

  /** Delete the spares (daemon shutdown). */
  async drain(): Promise<void> {
    this.closed = true;
    await this.filling;
    const spare = this.spare;
    this.spare = [];
    for (const name of spare) await this.o.host.deleteNetns(name);
  }
}
