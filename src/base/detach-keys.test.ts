import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DETACH_KEYS, DetachScanner, parseDetachKeys } from './detach-keys.js';

test('parseDetachKeys() reads moby/term key names, single characters and DEL', () => {
  assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), DEFAULT_DETACH_KEYS);
  assert.deepEqual(parseDetachKeys('a,ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,DEL'), [97, 0, 27, 28, 29, 30, 31, 127]);
  assert.throws(() => parseDetachKeys('ctrl-1'), /^Error: Unknown character: 'ctrl-1'$/);
  assert.throws(() => parseDetachKeys('abc'), /Unknown character: 'abc'/);
});

test('DetachScanner passes everything through when there is no sequence', () => {
  assert.deepEqual(new DetachScanner([]).feed(Buffer.from([16, 17])), { forward: Buffer.from([16, 17]), detach: false });
});

test('DetachScanner forwards input and detaches on the whole sequence only', () => {
  const s = new DetachScanner([16, 17]);
  assert.deepEqual(s.feed(Buffer.from('ls\n')), { forward: Buffer.from('ls\n'), detach: false });
  // A lone ctrl-p is held back until the next byte shows it does not start the sequence.
  assert.deepEqual(s.feed(Buffer.from([0x61, 16])), { forward: Buffer.from('a'), detach: false });
  assert.deepEqual(s.feed(Buffer.from('x')), { forward: Buffer.from([16, 0x78]), detach: false });
  // Split across reads, with input before it.
  assert.deepEqual(s.feed(Buffer.from([0x62, 16])), { forward: Buffer.from('b'), detach: false });
  assert.deepEqual(s.feed(Buffer.from([17, 0x63])), { forward: Buffer.alloc(0), detach: true });
});

test('DetachScanner releases a partial match then does not retry the byte, like moby/term', () => {
  const s = new DetachScanner([16, 17]);
  assert.deepEqual(s.feed(Buffer.from([16, 16, 17])), { forward: Buffer.from([16, 16, 17]), detach: false });
  const t = new DetachScanner([...Buffer.from('abc')]);
  assert.deepEqual(t.feed(Buffer.from('xabcy')), { forward: Buffer.from('x'), detach: true });
});

