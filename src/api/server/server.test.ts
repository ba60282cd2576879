import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../base/index.js';
import { Router, json } from './router.js';
import { ApiServer } from './server.js';

// Loopback TCP rather than a unix socket: only TCP lets the client send a reset.
let port = 0;
let api: ApiServer;
let hijackWrites = 0;
let hijackClosed: Promise<void> = Promise.resolve();
const uncaught: unknown[] = [];
process.on('uncaughtException', (e) => uncaught.push(e));
const timers = new Set<NodeJS.Timeout>();

before(async () => {
  const r = new Router();
  r.get('/_ping', () => ({ kind: 'text', status: 200, body: 'OK' }));
  r.get('/containers/{id}/json', (ctx) => json({ id: ctx.params.id }));
  r.get('/echo', (ctx) => json({ version: ctx.version, all: ctx.query.get('all') }));
  r.get('/bug', () => { throw new TypeError("Cannot read properties of undefined (reading 'x')"); });
  r.post('/containers/{id}/attach', () => ({
    kind: 'upgrade', contentType: 'application/vnd.docker.raw-stream', tty: true,
    serve: (conn) => {
      // Output keeps flowing whatever the client does, as a running container's would.
      const stdout = new PassThrough();
      const timer = setInterval(() => { hijackWrites++; stdout.write(Buffer.alloc(64 * 1024)); }, 1);
      timers.add(timer);
      const closed = conn.pump({ stdout, stderr: new PassThrough(), stdin: new PassThrough(), close: () => { clearInterval(timer); stdout.destroy(); } },
        { stdout: true, stderr: true, stdin: true, stdinOnce: false });
      hijackClosed = closed;
      return closed;
    },
  }));
  api = new ApiServer({ router: r, apiVersion: '1.47', minApiVersion: '1.24', serverHeader: 'test', log: silentLogger });
  const http = api.createHttpServer();
  await new Promise<void>((res) => http.listen(0, '127.0.0.1', res));
  port = (http.address() as AddressInfo).port;
});

after(async () => {
  for (const t of timers) clearInterval(t);
  await api.close();
});

/** Send raw bytes and collect whatever comes back until the server closes or `ms` passes. */
function raw(data: string, ms = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => { c.destroy(); resolve(Buffer.concat(chunks).toString('latin1')); }, ms);
    c.on('data', (b) => {
      chunks.push(b);
      // One complete response is enough for requests that keep the connection alive.
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /content-length: (\d+)\r\n/i.exec(text);
      const end = text.indexOf('\r\n\r\n');
      if (m && end >= 0 && text.length >= end + 4 + Number(m[1])) { clearTimeout(timer); c.destroy(); resolve(text); }
    });
    c.on('end', () => { clearTimeout(timer); resolve(Buffer.concat(chunks).toString('latin1')); });
    c.on('error', reject);
    c.write(data);
  });
}

const statusOf = (resp: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(resp)?.[1] ?? 0);

test('request targets that new URL() rejects get 301 or 400, and the server keeps answering', async () => {
  for (const target of ['//[', '//a:b', '//a:99999/_ping', '//%zz', '/%zz', '/containers/%zz/json', '/_ping?x=%zz']) {
    const resp = await raw(`GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const status = statusOf(resp);
    assert.ok(status === 301 || status === 400, `${target}: ${resp.split('\r\n')[0]}`);
    if (status === 301 && target === '//a:b') assert.match(resp, /\r\nLocation: \/a:b\r\n/);
  }
  assert.equal(statusOf(await raw('GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n')), 200);
});

test('percent-escapes in ids decode to bytes; invalid UTF-8 is not a 500', async () => {
  const ok = await raw('GET /containers/a%2Fb%20c/json HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(statusOf(ok), 200);
  assert.match(ok, /"id":"a\/b c"/);
  assert.equal(statusOf(await raw('GET /containers/%ff%fe/json HTTP/1.1\r\nHost: x\r\n\r\n')), 200);
});

test('a client that resets or closes a hijacked stream does not take the server down', async () => {
  for (const how of ['reset', 'close', 'half-close'] as const) {
    hijackWrites = 0;
    await new Promise<void>((resolve, reject) => {
      const c: Socket = connect(port, '127.0.0.1');
      c.on('error', () => {});
      let seen = 0;
      c.on('data', (b) => {
        seen += b.length;
        if (seen < 256 * 1024) return;
        c.removeAllListeners('data');
        if (how === 'reset') c.resetAndDestroy();
        else if (how === 'close') c.destroy();
        else { c.end(); c.destroy(); }
        // The server's side closes once a write or read fails on the dead connection.
        void hijackClosed.then(() => { c.destroy(); resolve(); });
      });
      c.write('POST /containers/x/attach HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n', (e) => { if (e) reject(e); });
    });
    assert.ok(hijackWrites > 0);
    assert.deepEqual(uncaught, [], `after ${how}`);
    assert.equal(statusOf(await raw('GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n')), 200, `after ${how}`);
  }
});

test('headers cut off mid-line and garbage request lines get 400 or a closed connection', async () => {
  for (const data of ['GET /_ping HTTP/1.1\r\nHost: x\r\nX-Partial', 'BLAH\r\n\r\n', '\x00\x01\x02\r\n\r\n', `GET /${'a'.repeat(20000)} HTTP/1.1\r\n${'X: y\r\n'.repeat(3000)}\r\n`]) {
    const resp = await raw(data, 300);
    assert.ok(resp === '' || [400, 404, 431].includes(statusOf(resp)), resp.split('\r\n')[0]);
  }
  assert.equal(statusOf(await raw('GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n')), 200);
});

test('a bug in a handler is a 500 whose text does not show Node internals', async () => {
  const resp = await raw('GET /bug HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(statusOf(resp), 500);
  assert.doesNotMatch(resp, /Cannot read properties/);
  assert.match(resp, /"message":"internal error in berthd; the daemon log has the details"/);
});

test('handlers see the version of the path prefix and the query', async () => {
  assert.match(await raw('GET /v1.41/echo?all=1 HTTP/1.1\r\nHost: x\r\n\r\n'), /\{"version":"1\.41","all":"1"\}/);
  assert.match(await raw('GET /echo HTTP/1.1\r\nHost: x\r\n\r\n'), /\{"version":"1\.47","all":null\}/);
});
