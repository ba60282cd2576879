/** Who waits for a container to stop or be removed. */
export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface WaitResult { StatusCode: number; Error?: { Message: string } }

interface Waiter { condition: WaitCondition; resolve: (r: WaitResult) => void }

export class Waiters {
  private readonly byId = new Map<string, Set<Waiter>>();

  add(id: string, condition: WaitCondition, signal?: AbortSignal): Promise<WaitResult> {
    return new Promise((resolve, reject) => {
      const set = this.byId.get(id) ?? new Set();
      this.byId.set(id, set);
      const w: Waiter = { condition, resolve: (r) => { signal?.removeEventListener('abort', onAbort); resolve(r); } };
      const onAbort = (): void => { set.delete(w); reject(signal!.reason); };
      signal?.addEventListener('abort', onAbort, { once: true });
      set.add(w);
    });
  }

  exited(id: string, exitCode: number): void {
    this.settle(id, exitCode, (c) => c !== 'removed');
  }

  removed(id: string, exitCode: number): void {
    this.settle(id, exitCode, () => true);
    this.byId.delete(id);
  }

  private settle(id: string, exitCode: number, which: (c: WaitCondition) => boolean): void {
    const set = this.byId.get(id);
    if (!set) return;
    for (const w of [...set]) {
      if (!which(w.condition)) continue;
      set.delete(w);
      w.resolve({ StatusCode: exitCode });
    }
  }
}
