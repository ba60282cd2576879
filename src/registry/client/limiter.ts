/** At most `n` tasks at once (Docker's max-concurrent-downloads/uploads); others wait in order. */
export class Limiter {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly n: number) {}

  async run<T>(task: () => Promise<T>, onWait?: () => void): Promise<T> {
    if (this.running >= this.n) {
      onWait?.();
      await new Promise<void>((r) => this.queue.push(r));
    } else this.running++;
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }
}
