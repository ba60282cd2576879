import { setFlagsFromString } from 'node:v8';

/**
 * berthd runs V8 with --optimize-for-size for a small idle heap (decision 0006). Under that flag,
 * once the old generation is past V8's 8 MB activation threshold, every allocation step starts
 * incremental marking: a transfer that moves hundreds of megabytes of buffers through the daemon
 * runs back-to-back compacting full collections (36 in a 200 MB pull, half its time). While a
 * bulk transfer runs the flag is off; when the last one ends it is on again, and the idle
 * collector shrinks the heap as before (decision 0017).
 */
export class HeapMode {
  private active = 0;

  /** `sized`: whether the process started with --optimize-for-size (else nothing is toggled). */
  constructor(private readonly sized = process.execArgv.includes('--optimize-for-size'), private readonly set: (flag: string) => void = setFlagsFromString) {}

  enter(): void {
    if (this.active++ === 0 && this.sized) this.set('--no-optimize-for-size');
  }

  leave(): void {
    if (this.active === 0) return;
    if (--this.active === 0 && this.sized) this.set('--optimize-for-size');
  }

  /** `it`'s items, with the daemon in transfer mode from the first request of one until it ends or is abandoned. */
  async *during<T>(it: AsyncIterable<T>): AsyncGenerator<T> {
    this.enter();
    try {
      yield* it;
    } finally {
      this.leave();
    }
  }
}
