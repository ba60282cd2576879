import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_DETACH_KEYS, EscapeProxy, parseDetachKeys } from './detach-keys.js';

test('parseDetachKeys() reads docker\'s key syntax', () => {
  assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), DEFAULT_DETACH_KEYS);
  assert.deepEqual(parseDetachKeys('a,ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_'), [97, 0, 27, 28, 29, 30, 31]);
  assert.throws(() => parseDetachKeys('ctrl-1'), /Unknown character: 'ctrl-1'/);
  assert.throws(() => parseDetachKeys('abc'), /Unknown character: 'abc'/);
});

test('EscapeProxy passes bytes through and stops at the full sequence', () => {
  const p = new EscapeProxy([16, 17]);
  assert.deepEqual(p.filter(Buffer.from('ls\r')), { data: Buffer.from('ls\r'), escaped: false });
  assert.deepEqual(p.filter(Buffer.from([120, 16])), { data: Buffer.from([120]), escaped: false });
  assert.deepEqual(p.filter(Buffer.from([17, 121])), { data: Buffer.alloc(0), escaped: true });
});

test('EscapeProxy releases a broken partial sequence', () => {
  const p = new EscapeProxy([16, 17]);
  assert.deepEqual(p.filter(Buffer.from([16])).data, Buffer.alloc(0));
  assert.deepEqual(p.filter(Buffer.from([97])), { data: Buffer.from([16, 97]), escaped: false });
  assert.deepEqual(p.filter(Buffer.from([16, 16, 17])), { data: Buffer.from([16]), escaped: true });
});
