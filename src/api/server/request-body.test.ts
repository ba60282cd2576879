import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestBodySkipper } from './request-body.js';

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
