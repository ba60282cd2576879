import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../base/index.js';
import { RequestBodySkipper, detachKeysParam } from './attach.js';

test('detachKeysParam() reads moby/term key names, single characters and DEL', () => {
  assert.deepEqual([...detachKeysParam('')], [16, 17]);
  assert.deepEqual([...detachKeysParam('ctrl-p,ctrl-q')], [16, 17]);
  assert.deepEqual([...detachKeysParam('ctrl-@,ctrl-a,ctrl-z,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_')], [0, 1, 26, 27, 28, 29, 30, 31]);
  assert.deepEqual([...detachKeysParam('a,b,DEL')], [97, 98, 127]);
});

test('detachKeysParam() refuses unknown keys with dockerd wording', () => {
  for (const bad of ['a,,b', 'ctrl-P', 'ctrl-', 'ab', 'ctrl-p,xy', 'ctrl-1', 'é']) {
    assert.throws(() => detachKeysParam(bad), (e: unknown) => e instanceof InvalidArgumentError && e.message === `Invalid detach keys (${bad}) provided`);
  }
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
