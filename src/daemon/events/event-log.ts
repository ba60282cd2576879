import { UnavailableError, setLongTimeout, type EngineEvent, type Filters, type StampedEvent } from '../../base/index.js';
import { eventMatches } from './event-filter.js';

export interface EventLogOptions {
  /** Past events kept for replay (dockerd keeps 256). */
  capacity?: number;
  /** Events a subscriber may have waiting before it is dropped (dockerd's channel buffer: 1024). */
  subscriberBuffer?: number;
  /** The clock, in Unix nanoseconds; tests pass their own. */
  now?: () => bigint;
}

export interface SubscribeOptions {
  /** Replay kept events from this time on (Unix ns); with `until` alone, from the oldest kept. */
  since?: bigint;
  /** Stop at this time (Unix ns): past events only when it has passed. */
  until?: bigint;
  filters?: Filters;
  signal?: AbortSignal;
}

const DEFAULT_CAPACITY = 1024;
const DEFAULT_SUBSCRIBER_BUFFER = 1024;

/**
 * The daemon's event log: a bounded ring of past events for replay and the live subscribers.
 * Publishing never waits for a subscriber: each has a bounded queue, and one that lets it fill
 * (a client that stopped reading) is dropped with an error instead of slowing the engine.
 */
export class EventLog {
  private readonly ring: StampedEvent[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private readonly capacity: number;
  private readonly subscriberBuffer: number;
  private readonly clock: () => bigint;
  private last = 0n;

  constructor(opts: EventLogOptions = {}) {
    this.capacity = opts.capacity ?? DEFAULT_CAPACITY;
    this.subscriberBuffer = opts.subscriberBuffer ?? DEFAULT_SUBSCRIBER_BUFFER;
    this.clock = opts.now ?? wallClockNs;
  }

  publish(e: EngineEvent): void {
    // Strictly increasing times keep replay by `since` exact and the order unambiguous.
    let t = this.clock();
    if (t <= this.last) t = this.last + 1n;
    this.last = t;
    const ev: StampedEvent = { type: e.type, action: e.action, actor: { id: e.actor.id, attributes: { ...e.actor.attributes } }, scope: 'local', timeNano: t };
    if (this.ring.length === this.capacity) this.ring.shift();
    this.ring.push(ev);
    for (const s of this.subscribers) s.offer(ev);
  }

  /** Live subscribers, for tests and diagnostics. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /**
   * Kept events between `since` and `until` (only when either is given, as dockerd), then live
   * ones until `until` passes or `signal` aborts. The subscription starts at this call, so no
   * event falls between the replay and the live stream.
   */
  subscribe(opts: SubscribeOptions = {}): AsyncIterable<StampedEvent> {
    const filters = opts.filters ?? new Map();
    const replay = opts.since !== undefined || opts.until !== undefined
      ? this.ring.filter((ev) => (opts.since === undefined || ev.timeNano >= opts.since) && (opts.until === undefined || ev.timeNano <= opts.until) && eventMatches(ev, filters))
      : [];
    const untilMs = opts.until === undefined ? undefined : Number(opts.until / 1_000_000n) - Number(this.clock() / 1_000_000n);
    if (untilMs !== undefined && untilMs < 0) return (async function* () { yield* replay; })();
    // The end conditions hold from now on, even for a stream nobody starts reading.
    const stop = (): void => sub.close();
    const cancelTimer = untilMs !== undefined ? setLongTimeout(stop, untilMs) : undefined;
    const sub = new Subscriber({
      filters, limit: this.subscriberBuffer,
      onClose: () => {
        this.subscribers.delete(sub);
        cancelTimer?.();
        opts.signal?.removeEventListener('abort', stop);
      },
    });
    this.subscribers.add(sub);
    opts.signal?.addEventListener('abort', stop, { once: true });
    if (opts.signal?.aborted) stop();
    return sub.stream(replay);
  }
}

class Subscriber {
  private readonly queue: StampedEvent[] = [];
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  private closed = false;

  constructor(private readonly o: { filters: Filters; limit: number; onClose: () => void }) {}

  offer(ev: StampedEvent): void {
    if (this.closed || this.failure || !eventMatches(ev, this.o.filters)) return;
    if (this.queue.length >= this.o.limit) {
      this.failure = new UnavailableError(`Stopped sending events: the client fell more than ${this.o.limit} events behind`);
      this.queue.length = 0;
      this.close();
    } else this.queue.push(ev);
    this.wake?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.o.onClose();
    this.wake?.();
  }

  async *stream(replay: StampedEvent[]): AsyncGenerator<StampedEvent> {
    try {
      yield* replay;
      for (;;) {
        const ev = this.queue.shift();
        if (ev) { yield ev; continue; }
        if (this.failure) throw this.failure;
        if (this.closed) return;
        await new Promise<void>((r) => { this.wake = r; });
        this.wake = undefined;
      }
    } finally {
      this.close();
    }
  }
}

/** Unix time in nanoseconds: the wall clock's milliseconds with the monotonic clock's finer digits. */
function wallClockNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
}
