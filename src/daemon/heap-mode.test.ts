import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeapMode } from './heap-mode.js';

test('HeapMode turns --optimize-for-size off while transfers run and on again after the last, even when one fails', async () => {
  const flags: string[] = [];
  const heap = new HeapMode(true, (f) => flags.push(f));
  async function* items(fail: boolean): AsyncGenerator<number> {
    yield 1;
    if (fail) throw new Error('dropped');
    yield 2;
  }
  const a = heap.during(items(false));
  assert.deepEqual(await a.next(), { value: 1, done: false });
  assert.deepEqual(flags, ['--no-optimize-for-size']);
  await assert.rejects(async () => { for await (const _ of heap.during(items(true))) { /* consumed */ } }, /dropped/);
  assert.deepEqual(flags, ['--no-optimize-for-size'], 'the first transfer still runs');
  assert.deepEqual(await a.next(), { value: 2, done: false });
  await a.return(undefined);
  assert.deepEqual(flags, ['--no-optimize-for-size', '--optimize-for-size']);
});

test('HeapMode leaves V8 alone when the daemon did not start with --optimize-for-size', async () => {
  const flags: string[] = [];
  const heap = new HeapMode(false, (f) => flags.push(f));
  for await (const _ of heap.during((async function* () { yield 1; })())) { /* consumed */ }
  assert.deepEqual(flags, []);
});
