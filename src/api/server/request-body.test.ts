import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { readUpgradedBody, RequestBodySkipper } from './request-body.js';

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

test('readUpgradedBody() reads exactly Content-Length bytes off the socket and leaves what follows for stdin', async () => {
  const sock = new PassThrough();
  sock.write('{"Tty":true}');
  const read = readUpgradedBody(sock, { 'content-length': '12' }, 1024);
  sock.write('stdin bytes');
  assert.equal(await read, '{"Tty":true}');
  const rest = await new Promise<string>((resolve) => sock.once('data', (b: Buffer) => resolve(b.toString())));
  assert.equal(rest, 'stdin bytes');
});

test('readUpgradedBody() leaves a chunked body to the skipper and refuses one too large', async () => {
  assert.equal(await readUpgradedBody(new PassThrough(), { 'transfer-encoding': 'chunked' }, 1024), undefined);
  await assert.rejects(readUpgradedBody(new PassThrough(), { 'content-length': '2048' }, 1024), /request body is too large/);
});
