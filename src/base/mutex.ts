/** Runs async sections one at a time per key, in arrival order. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Wait for the key; the returned function releases it (calling it twice is harmless). */
  async acquire(key: string): Promise<() => void> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => { release = resolve; });
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    await prev;
    return release;
  }

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire(key);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Whether a section holds or waits for the key. */
  isBusy(key: string): boolean {
    return this.tails.has(key);
  }
}

/** Runs async sections one at a time, in arrival order: a KeyedMutex with a single key. */
export class Mutex {
  private readonly keyed = new KeyedMutex();

  acquire(): Promise<() => void> {
    return this.keyed.acquire('');
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.keyed.run('', fn);
  }
}
