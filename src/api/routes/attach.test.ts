import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../base/index.js';
import { DetachScanner, RequestBodySkipper, parseDetachKeys } from './attach.js';

test('parseDetachKeys() reads moby/term key names, single characters and DEL', () => {
  assert.deepEqual([...parseDetachKeys('')], [16, 17]);
  assert.deepEqual([...parseDetachKeys('ctrl-p,ctrl-q')], [16, 17]);
  assert.deepEqual([...parseDetachKeys('ctrl-@,ctrl-a,ctrl-z,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_')], [0, 1, 26, 27, 28, 29, 30, 31]);
  assert.deepEqual([...parseDetachKeys('a,b,DEL')], [97, 98, 127]);
});

test('parseDetachKeys() refuses unknown keys with dockerd wording', () => {
  for (const bad of ['a,,b', 'ctrl-P', 'ctrl-', 'ab', 'ctrl-p,xy', 'ctrl-1', 'é']) {
    assert.throws(() => parseDetachKeys(bad), (e: unknown) => e instanceof InvalidArgumentError && e.message === `Invalid detach keys (${bad}) provided`);
  }
});

test('DetachScanner forwards input and detaches on the whole sequence only', () => {
  const s = new DetachScanner(Buffer.from([16, 17]));
  assert.deepEqual(s.feed(Buffer.from('ls\n')), { forward: Buffer.from('ls\n'), detach: false });
  // A lone ctrl-p is held back until the next byte shows it does not start the sequence.
  assert.deepEqual(s.feed(Buffer.from([0x61, 16])), { forward: Buffer.from('a'), detach: false });
  assert.deepEqual(s.feed(Buffer.from('x')), { forward: Buffer.from([16, 0x78]), detach: false });
  // Split across reads, with input before it.
  assert.deepEqual(s.feed(Buffer.from([0x62, 16])), { forward: Buffer.from('b'), detach: false });
  assert.deepEqual(s.feed(Buffer.from([17, 0x63])), { forward: Buffer.alloc(0), detach: true });
});

test('DetachScanner releases a partial match then does not retry the byte, like moby/term', () => {
  const s = new DetachScanner(Buffer.from([16, 17]));
  assert.deepEqual(s.feed(Buffer.from([16, 16, 17])), { forward: Buffer.from([16, 16, 17]), detach: false });
  const t = new DetachScanner(Buffer.from('abc'));
  assert.deepEqual(t.feed(Buffer.from('xabcy')), { forward: Buffer.from('x'), detach: true });
});

test('RequestBodySkipper drops a Content-Length body, even split, and keeps what follows', () => {
  const s = new RequestBodySkipper({ 'content-length': '16' });
  assert.deepEqual(s.feed(Buffer.from('{"stream":')), Buffer.alloc(0));
  assert.deepEqual(s.feed(Buffer.from('true}\necho hi\n')), Buffer.from('echo hi\n'));
  assert.deepEqual(s.feed(Buffer.from('more')), Buffer.from('more'));
  const none = new RequestBodySkipper({});
  assert.deepEqual(none.feed(Buffer.from('abc')), Buffer.from('abc'));
});

test('RequestBodySkipper drops a chunked body with extensions and trailers', () => {
  const s = new RequestBodySkipper({ 'transfer-encoding': 'chunked' });
  const wire = Buffer.from('5;x=y\r\nhello\r\n3\r\n, w\r\n0\r\nX-T: 1\r\n\r\nstdin bytes');
  const got: Buffer[] = [];
  for (let i = 0; i < wire.length; i += 4) got.push(s.feed(wire.subarray(i, i + 4)));
  assert.equal(Buffer.concat(got).toString(), 'stdin bytes');
});
