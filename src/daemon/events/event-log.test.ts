import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnavailableError, type EngineEvent, type Filters, type StampedEvent } from '../../base/index.js';
import { eventMatches } from './event-filter.js';
import { EventLog } from './event-log.js';

const S = 1_000_000_000n;

function manualClock(start = 1000n * S): { now: () => bigint; advance: (ns: bigint) => void } {
  let t = start;
  return { now: () => t, advance: (ns) => { t += ns; } };
}

function container(action: string, id: string, attributes: Record<string, string> = {}): EngineEvent {
  return { type: 'container', action, actor: { id, attributes: { name: `n-${id}`, image: 'busybox', ...attributes } } };
}

async function take<T>(it: AsyncIterable<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  if (n === 0) return out;
  for await (const x of it) {
    out.push(x);
    if (out.length === n) break;
  }
  return out;
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function filters(o: Record<string, string[]>): Filters {
  return new Map(Object.entries(o).map(([k, v]) => [k, new Set(v)]));
}

test('publish() stamps Docker\'s scope and strictly increasing nanosecond times', () => {
  const clock = manualClock();
  const log = new EventLog({ now: clock.now });
  log.publish(container('create', 'a'));
  log.publish(container('start', 'a'));
  const seen: StampedEvent[] = [];
  void (async () => { for await (const e of log.subscribe({ since: 0n, until: clock.now() + S })) seen.push(e); })();
  return new Promise<void>((resolve) => setImmediate(() => {
    assert.deepEqual(seen.map((e) => [e.scope, e.timeNano]), [['local', 1000n * S], ['local', 1000n * S + 1n]]);
    resolve();
  }));
});

test('subscribe() replays only when since or until is given, as dockerd', async () => {
  const clock = manualClock();
  const log = new EventLog({ now: clock.now });
  log.publish(container('create', 'a'));
  const ac = new AbortController();
  const live = log.subscribe({ signal: ac.signal });
  log.publish(container('start', 'a'));
  const [first] = await take(live, 1);
  assert.equal(first!.action, 'start');
  ac.abort();
  assert.equal(log.subscriberCount, 0);
});

test('subscribe() replays the kept events in [since, until] and ends when until has passed', async () => {
  const clock = manualClock();
  const log = new EventLog({ now: clock.now });
  for (const a of ['create', 'start', 'die', 'destroy']) {
    log.publish(container(a, 'a'));
    clock.advance(S);
  }
  const got = await all(log.subscribe({ since: 1001n * S, until: 1002n * S }));
  assert.deepEqual(got.map((e) => e.action), ['start', 'die']);
  assert.equal(log.subscriberCount, 0);
});

test('the log keeps its newest `capacity` events and drops the oldest', async () => {
  const clock = manualClock();
  const log = new EventLog({ now: clock.now, capacity: 1000 });
  for (let i = 0; i < 1500; i++) log.publish(container('create', String(i)));
  clock.advance(S);
  const got = await all(log.subscribe({ since: 0n, until: clock.now() }));
  assert.equal(got.length, 1000);
  assert.equal(got[0]!.actor.id, '500');
  assert.equal(got.at(-1)!.actor.id, '1499');
});

test('a live subscription with a future until ends when until passes', async () => {
  const log = new EventLog();
  const now = BigInt(Date.now()) * 1_000_000n;
  const it = log.subscribe({ until: now + 50_000_000n });
  log.publish(container('create', 'a'));
  const got = await all(it);
  assert.deepEqual(got.map((e) => e.action), ['create']);
  assert.equal(log.subscriberCount, 0);
});

test('an until decades away keeps the stream open (beyond setTimeout\'s range)', async () => {
  const log = new EventLog();
  const ac = new AbortController();
  const it = log.subscribe({ until: (BigInt(Date.now()) + 40n * 365n * 86_400_000n) * 1_000_000n, signal: ac.signal });
  const first = take(it, 1);
  await new Promise((r) => setTimeout(r, 20));
  log.publish(container('create', 'a'));
  assert.deepEqual((await first).map((e) => e.action), ['create']);
  ac.abort();
});

test('a subscription nobody reads ends with its signal or its until', async () => {
  const log = new EventLog();
  const ac = new AbortController();
  log.subscribe({ signal: ac.signal });
  log.subscribe({ until: (BigInt(Date.now()) + 20n) * 1_000_000n });
  assert.equal(log.subscriberCount, 2);
  ac.abort();
  assert.equal(log.subscriberCount, 1);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(log.subscriberCount, 0);
});

test('a subscriber that falls too far behind is dropped with an error; the others are not slowed', async () => {
  const log = new EventLog({ subscriberBuffer: 10 });
  const stuck = log.subscribe({})[Symbol.asyncIterator]();
  const ac = new AbortController();
  const reader = log.subscribe({ signal: ac.signal });
  const received = take(reader, 50);
  for (let i = 0; i < 50; i++) {
    log.publish(container('create', String(i)));
    await new Promise((r) => setImmediate(r)); // the reader drains as it goes; the stuck one never reads
  }
  assert.equal((await received).length, 50);
  assert.equal(log.subscriberCount, 0);
  await assert.rejects(stuck.next(), (e: unknown) => e instanceof UnavailableError && /fell more than 10 events behind/.test(e.message));
});

test('subscribe() filters replayed and live events alike', async () => {
  const clock = manualClock();
  const log = new EventLog({ now: clock.now });
  log.publish(container('create', 'a'));
  log.publish({ type: 'image', action: 'tag', actor: { id: 'sha256:1', attributes: { name: 'x:1' } } });
  const it = log.subscribe({ since: 0n, filters: filters({ type: ['container'] }) });
  log.publish(container('start', 'a'));
  const got = await take(it, 2);
  assert.deepEqual(got.map((e) => `${e.type} ${e.action}`), ['container create', 'container start']);
});

function stamped(e: EngineEvent): StampedEvent {
  return { ...e, scope: 'local', timeNano: 1n };
}

test('eventMatches() follows dockerd: exact type/event, id or name prefix, image with or without tag, labels', () => {
  const ev = stamped(container('die', 'abcdef', { name: 'web', image: 'busybox:latest', exitCode: '3', tier: 'front' }));
  const yes = (o: Record<string, string[]>): void => assert.ok(eventMatches(ev, filters(o)), JSON.stringify(o));
  const no = (o: Record<string, string[]>): void => assert.ok(!eventMatches(ev, filters(o)), JSON.stringify(o));
  yes({});
  yes({ type: ['container', 'image'] });
  no({ type: ['image'] });
  yes({ event: ['die', 'start'] });
  no({ event: ['di'] });
  yes({ container: ['abc'] });
  yes({ container: ['we'] });
  no({ container: ['xyz'] });
  // The per-object filters apply to every type: a container filter keeps other objects out.
  no({ network: ['bridge'] });
  yes({ image: ['busybox'] });
  yes({ image: ['busybox:latest'] });
  no({ image: ['alpine'] });
  yes({ label: ['tier'] });
  yes({ label: ['tier=front', 'exitCode=3'] });
  no({ label: ['tier=back'] });
  yes({ scope: ['local'] });
  no({ scope: ['swarm'] });
  const exec = stamped(container('exec_start: sh -c true', 'abcdef'));
  assert.ok(eventMatches(exec, filters({ event: ['exec_start'] })));
  const img = stamped({ type: 'image', action: 'tag', actor: { id: 'sha256:aa', attributes: { name: 'app:v1' } } });
  assert.ok(eventMatches(img, filters({ image: ['app'] })));
  assert.ok(eventMatches(img, filters({ image: ['sha256:aa'] })));
  assert.ok(!eventMatches(img, filters({ container: ['abc'] })));
});
