import { InvalidArgumentError, parseFilters, parseTimestamps, type Filters, type StampedEvent } from '../../base/index.js';
import type { Router } from '../server/index.js';

export interface EventSource {
  subscribe(opts: { since?: bigint; until?: bigint; filters: Filters; signal: AbortSignal }): AsyncIterable<StampedEvent>;
}

export function eventRoutes(r: Router, events: EventSource): void {
  r.get('/events', (ctx) => {
    const q = ctx.query;
    const since = parseEventTime('since', q.get('since'));
    const until = parseEventTime('until', q.get('until'));
    if (until !== undefined && until < (since ?? 0n)) {
      throw new InvalidArgumentError(`\`since\` time (${q.get('since') ?? ''}) cannot be after \`until\` time (${q.get('until') ?? ''})`);
    }
    // dockerd validates no filter name for events: unknown ones match everything.
    const filters = parseFilters(q.get('filters'), 'any');
    const stream = events.subscribe({ ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}), filters, signal: ctx.signal });
    async function* body(): AsyncIterable<Uint8Array> {
      for await (const ev of stream) yield encoded(ev);
    }
    return { kind: 'stream', contentType: 'application/json', body: body() };
  });
}

/** Every subscriber gets the same bytes for an event: encode it once. */
const wire = new WeakMap<StampedEvent, Buffer>();
function encoded(ev: StampedEvent): Buffer {
  let b = wire.get(ev);
  if (!b) wire.set(ev, b = Buffer.from(`${eventJson(ev)}\n`));
  return b;
}

/**
 * The wire form of an event, as dockerd writes it for API < 1.52 (legacy fields first). Written
 * by hand because `timeNano` is an int64 that a double would round.
 */
export function eventJson(ev: StampedEvent): string {
  const legacy = ev.type === 'container'
    ? { status: ev.action, id: ev.actor.id, ...(ev.actor.attributes.image ? { from: ev.actor.attributes.image } : {}) }
    : ev.type === 'image' ? { status: ev.action, id: ev.actor.id } : {};
  // Go's encoder writes a map's keys sorted.
  const attributes = Object.fromEntries(Object.entries(ev.actor.attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const head = JSON.stringify({ ...omitEmpty(legacy), Type: ev.type, Action: ev.action, Actor: { ID: ev.actor.id, Attributes: attributes }, scope: ev.scope, time: Number(ev.timeNano / 1_000_000_000n) });
  // Go's encoder escapes these inside strings (they never appear outside one in JSON).
  const escaped = head.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${escaped.slice(0, -1)},"timeNano":${ev.timeNano}}`;
}

function omitEmpty(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ''));
}

/**
 * `since`/`until` as dockerd's events route reads them: Unix seconds with an optional fraction
 * (the CLI turns durations and dates into that form), as nanoseconds.
 */
export function parseEventTime(name: 'since' | 'until', v: string | null): bigint | undefined {
  if (v === null || v === '') return undefined;
  try {
    const { seconds, nanos } = parseTimestamps(v);
    return BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
  } catch (e) {
    throw new InvalidArgumentError(`invalid value for '${name}': ${(e as Error).message}`);
  }
}
