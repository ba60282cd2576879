import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedMutex, Mutex } from './mutex.js';

/** A promise and the function that settles it, to hold a section open until the test says so. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((r) => { open = r; });
  return { opened, open };
}

test('KeyedMutex.run() runs sections of one key one at a time, in arrival order', async () => {
  const m = new KeyedMutex();
  const log: string[] = [];
  const first = gate();
  const a = m.run('k', async () => { log.push('a start'); await first.opened; log.push('a end'); });
  const b = m.run('k', async () => { log.push('b'); });
  const c = m.run('k', async () => { log.push('c'); });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(log, ['a start']);
  first.open();
  await Promise.all([a, b, c]);
  assert.deepEqual(log, ['a start', 'a end', 'b', 'c']);
});

test('KeyedMutex.run() does not hold one key behind another', async () => {
  const m = new KeyedMutex();
  const held = gate();
  const a = m.run('a', () => held.opened);
  assert.equal(await m.run('b', async () => 'b ran'), 'b ran');
  held.open();
  await a;
});

test('KeyedMutex.run() releases the key when the section throws, and forgets idle keys', async () => {
  const m = new KeyedMutex();
  await assert.rejects(m.run('k', async () => { throw new Error('boom'); }), /boom/);
  assert.equal(await m.run('k', async () => 2), 2);
  await new Promise((r) => setImmediate(r));
  assert.equal(m.isBusy('k'), false);
});

test('KeyedMutex.acquire() returns a release that is harmless to call twice', async () => {
  const m = new KeyedMutex();
  const release = await m.acquire('k');
  assert.equal(m.isBusy('k'), true);
  release();
  release();
  const again = await m.acquire('k');
  again();
});

test('Mutex.run() serialises every section', async () => {
  const m = new Mutex();
  let inside = 0;
  let most = 0;
  await Promise.all(Array.from({ length: 5 }, () => m.run(async () => {
    inside++;
    most = Math.max(most, inside);
    await new Promise((r) => setImmediate(r));
    inside--;
  })));
  assert.equal(most, 1);
});
