import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, test } from 'node:test';
import { NotFoundError, silentLogger } from '../../base/index.js';
import { Router } from './router.js';
import { ApiServer } from './server.js';

// Every reply kind through the real server on a unix socket, as clients reach berthd.
let dir = '';
let path = '';
let api: ApiServer;
let release: () => void = () => {};
let written: Promise<string> = Promise.resolve('');
const stdinSeen: Buffer[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-replies-'));
  path = join(dir, 'api.sock');
  const r = new Router();
  r.get('/_ping', () => ({ kind: 'text', status: 200, body: 'OK' }));
  r.get('/later', () => {
    const gate = new Promise<void>((resolve) => { release = resolve; });
    async function* body(): AsyncIterable<Uint8Array> {
      await gate;
      yield Buffer.from('{"StatusCode":0}\n');
    }
    return { kind: 'stream', contentType: 'application/json', body: body() };
  });
  r.get('/sink', () => ({
    kind: 'stream', contentType: 'application/x-tar', headers: { 'X-Test': '1' },
    body: (sink, signal) => {
      // As image save writes: a pipeline into the sink, stopped by the client going away.
      const p = pipeline(Readable.from((function* () { for (let i = 0; i < 40; i++) yield Buffer.alloc(512, i); })()), sink, { signal });
      written = p.then(() => 'done', (e: Error) => e.message);
      return p;
    },
  }));
  r.get('/broken', () => {
    async function* body(): AsyncIterable<Uint8Array> {
      yield Buffer.from('part');
      throw new NotFoundError('gone midway');
    }
    return { kind: 'stream', contentType: 'application/octet-stream', body: body() };
  });
  r.get('/messages', () => {
    async function* events(): AsyncIterable<unknown> {
      yield { status: 'one' };
      throw new NotFoundError('No such image: x');
    }
    return { kind: 'json-stream', events: events() };
  });
  r.post('/attach', (ctx) => ({
    kind: 'upgrade', contentType: 'application/vnd.docker.multiplexed-stream', tty: ctx.query.get('tty') === '1',
    serve: async (conn) => {
      if (ctx.query.get('fail') === '1') throw new NotFoundError('no streams');
      await conn.write(1, Buffer.from('logs'));
      if (ctx.query.get('stdin') !== '1') return;
      const stdin = new PassThrough();
      stdin.on('data', (b: Buffer) => stdinSeen.push(b));
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      stdin.on('end', () => { stdout.end('bye'); stderr.end(); });
      await conn.pump({ stdout, stderr, stdin, close: () => { stdout.end(); stderr.end(); } },
        { stdout: true, stderr: true, stdin: true, stdinOnce: true });
    },
  }));
  api = new ApiServer({ router: r, apiVersion: '1.47', minApiVersion: '1.24', serverHeader: 'test', log: silentLogger });
  const http = api.createHttpServer();
  http.listen(path);
  await once(http, 'listening');
});

after(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(p: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: path, path: p, method: 'GET', agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function text(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Raw bytes until the server ends the connection. */
function raw(data: string | Buffer, opts: { end?: boolean; until?: string } = {}): Promise<{ bytes: Buffer; how: 'end' | 'error' }> {
  return new Promise((resolve) => {
    const c: Socket = connect(path);
    const chunks: Buffer[] = [];
    c.on('data', (b: Buffer) => {
      chunks.push(b);
      if (opts.until && Buffer.concat(chunks).toString('latin1').endsWith(opts.until)) {
        c.destroy();
        resolve({ bytes: Buffer.concat(chunks), how: 'end' });
      }
    });
    c.on('end', () => { c.destroy(); resolve({ bytes: Buffer.concat(chunks), how: 'end' }); });
    c.on('error', () => resolve({ bytes: Buffer.concat(chunks), how: 'error' }));
    c.write(data);
    if (opts.end) c.end();
  });
}

test("a 'stream' reply sends its headers before its body has a byte", async () => {
  const res = await get('/later');
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/json');
  assert.equal(res.headers['api-version'], '1.47');
  release();
  assert.equal((await text(res)).toString(), '{"StatusCode":0}\n');
});

test("a 'stream' reply with a writer gets the response as its sink, ended for it", async () => {
  // The client hangs up as soon as it has the last byte, as the docker CLI does after `save`.
  const { bytes } = await raw('GET /sink HTTP/1.1\r\nHost: x\r\n\r\n', { until: '\r\n0\r\n\r\n' });
  const s = bytes.toString('latin1');
  assert.match(s, /\r\nContent-Type: application\/x-tar\r\n/);
  assert.match(s, /\r\nX-Test: 1\r\n/);
  assert.ok(s.endsWith('\r\n0\r\n\r\n'));
  // Done once the server has the bytes: the client's leaving after the last one is no failure.
  assert.equal(await written, 'done');
});

test("a 'stream' reply that fails after its headers cuts the connection and the server goes on", async () => {
  const { bytes } = await raw('GET /broken HTTP/1.1\r\nHost: x\r\n\r\n');
  const s = bytes.toString('latin1');
  assert.match(s, /^HTTP\/1\.1 200 OK\r\n/);
  // Chunked and never terminated: the client can tell the body is short.
  assert.doesNotMatch(s, /\r\n0\r\n\r\n$/);
  assert.equal((await get('/_ping')).statusCode, 200);
});

test("a 'json-stream' reply carries an error after its headers in the stream", async () => {
  const body = (await text(await get('/messages'))).toString();
  assert.equal(body, '{"status":"one"}\r\n{"errorDetail":{"message":"No such image: x"},"error":"No such image: x"}\r\n');
});

test("an 'upgrade' reply answers 101, frames output, and ends the connection when serve returns", async () => {
  const { bytes, how } = await raw('POST /attach HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
  assert.equal(how, 'end');
  const s = bytes.toString('latin1');
  const head = s.slice(0, s.indexOf('\r\n\r\n') + 4);
  assert.match(head, /^HTTP\/1\.1 101 UPGRADED\r\nContent-Type: application\/vnd\.docker\.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n/);
  assert.match(head, /\r\nApi-Version: 1\.47\r\n/);
  const body = bytes.subarray(Buffer.byteLength(head, 'latin1'));
  assert.deepEqual([...body.subarray(0, 8)], [1, 0, 0, 0, 0, 0, 0, 4]);
  assert.equal(body.subarray(8).toString(), 'logs');
});

test("an 'upgrade' reply to a request without Upgrade answers 200 on the connection, raw on a TTY", async () => {
  const { bytes } = await raw('POST /attach?tty=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
  const s = bytes.toString('latin1');
  assert.match(s, /^HTTP\/1\.1 200 OK\r\nContent-Type: application\/vnd\.docker\.multiplexed-stream\r\n/);
  assert.ok(s.endsWith('\r\n\r\nlogs'));
});

test("an 'upgrade' reply whose serve fails cuts the connection", async () => {
  const { bytes } = await raw('POST /attach?fail=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
  assert.match(bytes.toString('latin1'), /^HTTP\/1\.1 101 UPGRADED\r\n[^]*\r\n\r\n$/);
  assert.equal((await get('/_ping')).statusCode, 200);
});

test("an 'upgrade' reply pumps stdin without the request's own body, and the output that follows", async () => {
  stdinSeen.length = 0;
  const { bytes } = await raw(Buffer.from('POST /attach?stdin=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 13\r\n\r\n{"stream":1}\nhello stdin'), { end: true });
  // StdinOnce: the client's end closes stdin, which here ends the output.
  assert.equal(Buffer.concat(stdinSeen).toString(), 'hello stdin');
  const s = bytes.toString('latin1');
  assert.ok(s.endsWith('\x01\x00\x00\x00\x00\x00\x00\x03bye'), JSON.stringify(s.slice(-20)));
});
