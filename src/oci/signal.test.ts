import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSignal } from './signal.js';

test('parseSignal() reads names with or without SIG, any case, numbers and real-time signals', () => {
  assert.equal(parseSignal('SIGTERM'), 15);
  assert.equal(parseSignal('kill'), 9);
  assert.equal(parseSignal('9'), 9);
  assert.equal(parseSignal('SIGRTMIN+3'), 37);
  assert.equal(parseSignal('RTMAX'), 64);
  for (const bad of ['SIGBOGUS', '0', '', 'SIG']) assert.throws(() => parseSignal(bad), { message: `invalid signal: ${bad}` });
});
