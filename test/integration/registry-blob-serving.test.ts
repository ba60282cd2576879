// How berth's registry server sends blobs: from the addon by sendfile(2) to clients elsewhere, or
// through its buffer to clients on loopback or a unix socket; streamed over TLS (docs/decisions/0019). Three servers
// share one storage root: plain (on every address: reached by loopback and, where this machine has
// one, by an address of its own, which the server takes for a client elsewhere), TLS and unix.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { makeCertificates, putBlob } from './registry-fixtures.js';
import { startRegistry, type TestRegistry } from './registry-process.js';

interface Got { status: number; headers: IncomingHttpHeaders; body: Buffer; reused: boolean }

/** One request by node's own client: over TLS with `ca`, over a unix socket with `socketPath`. */
function get(url: string, opts: { method?: string; headers?: Record<string, string>; ca?: Buffer; agent?: Agent; socketPath?: string } = {}): Promise<Got> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((res, rej) => {
    const req = send(u, { method: opts.method ?? 'GET', headers: opts.headers ?? {}, ...(opts.ca ? { ca: opts.ca } : {}), ...(opts.agent ? { agent: opts.agent } : {}), ...(opts.socketPath ? { socketPath: opts.socketPath } : {}) }, (r) => {
      const parts: Buffer[] = [];
      r.on('data', (b: Buffer) => parts.push(b));
      r.on('end', () => res({ status: r.statusCode!, headers: r.headers, body: Buffer.concat(parts), reused: req.reusedSocket }));
      r.on('error', rej);
    });
    req.on('error', rej);
    req.end();
  });
}

/** Start reading a blob on a raw connection, then drop it once `after` bytes arrived. */
function dropMidway(open: () => Socket, path: string, after: number): Promise<number> {
  return new Promise((res, rej) => {
    const s = open();
    let seen = 0;
    s.on('error', rej);
    s.write(`GET ${path} HTTP/1.1\r\nHost: registry\r\n\r\n`);
    s.on('data', (b: Buffer) => {
      seen += b.length;
      if (seen >= after) {
        s.destroy();
        res(seen);
      }
    });
    s.on('end', () => rej(new Error(`the whole answer came (${seen} bytes) before the client dropped it`)));
  });
}

/** This machine's first IPv4 address other than loopback, if it has one. */
function outsideAddress(): string | undefined {
  return Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

describe('berth registry serve: blob bodies', () => {
  const dir = mkdtempSync('/tmp/berth-regblob-test-');
  const root = join(dir, 'root');
  const storage = `storage:\n  filesystem:\n    rootdirectory: ${root}\n`;
  let plain: TestRegistry;
  let secure: TestRegistry;
  let unix: TestRegistry;
  let ca: Buffer;
  const sock = join(dir, 'registry.sock');
  const blob = randomBytes(5 << 20);
  const big = randomBytes(40 << 20); // more than loopback's socket buffers hold: a client can drop it midway
  let digest: string;
  let bigDigest: string;
  let port: number;
  const outside = outsideAddress();
  // [how the server sends, host]
  const ways: Array<[string, string]> = [['copied to loopback by the addon', '127.0.0.1'], ...(outside ? [[`sendfile to ${outside}`, outside] as [string, string]] : [])];

  before(async () => {
    const certs = makeCertificates(join(dir, 'certs'));
    ca = readFileSync(certs.ca);
    [plain, secure, unix] = await Promise.all([
      startRegistry(dir, 'plain', `version: 0.1\n${storage}http:\n  addr: :0\n`),
      startRegistry(dir, 'secure', `version: 0.1\n${storage}http:\n  addr: 127.0.0.1:0\n  tls:\n    certificate: ${certs.cert}\n    key: ${certs.key}\n`, { scheme: 'https' }),
      startRegistry(dir, 'unix', `version: 0.1\n${storage}http:\n  net: unix\n  addr: ${sock}\n`),
    ]);
    port = Number(plain.addr.split(':').pop());
    digest = await putBlob(`http://127.0.0.1:${port}`, 'serve/blob', blob);
    bigDigest = await putBlob(`http://127.0.0.1:${port}`, 'serve/blob', big);
  });
  after(async () => {
    await Promise.all([plain?.stop(), secure?.stop(), unix?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  for (const [how, host] of ways) test(`a blob of a few MiB comes out byte for byte, whole and by range, twice on one connection (${how})`, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const url = `http://${host}:${port}/v2/serve/blob/blobs/${digest}`;
      const whole = await get(url, { agent });
      assert.equal(whole.status, 200);
      assert.equal(whole.headers['content-length'], String(blob.length));
      assert.equal(whole.headers['docker-content-digest'], digest);
      assert.ok(whole.body.equals(blob), 'the whole blob, byte for byte');
      const part = await get(url, { agent, headers: { Range: 'bytes=1000000-3999999' } });
      assert.equal(part.reused, true, 'the second answer came on the same connection');
      assert.equal(part.status, 206);
      assert.equal(part.headers['content-range'], `bytes 1000000-3999999/${blob.length}`);
      assert.ok(part.body.equals(blob.subarray(1_000_000, 4_000_000)), 'the range, byte for byte');
      const tail = await get(url, { agent, headers: { Range: 'bytes=-100' } });
      assert.ok(tail.body.equals(blob.subarray(blob.length - 100)));
      assert.equal((await get(url, { agent, headers: { Range: `bytes=${blob.length}-` } })).status, 416);
    } finally {
      agent.destroy();
    }
  });

  for (const [how, host] of ways) test(`HEAD answers the size and sends no body: the next answer on the connection follows the header at once (${how})`, async () => {
    const s = netConnect(port, host);
    const parts: Buffer[] = [];
    s.on('data', (b: Buffer) => parts.push(b));
    const ended = new Promise((res, rej) => { s.on('end', res); s.on('error', rej); });
    s.write(`HEAD /v2/serve/blob/blobs/${digest} HTTP/1.1\r\nHost: registry\r\n\r\nGET /v2/ HTTP/1.1\r\nHost: registry\r\nConnection: close\r\n\r\n`);
    await ended;
    const text = Buffer.concat(parts).toString('latin1');
    const [head, next] = text.split('\r\n\r\n');
    assert.match(head!, /^HTTP\/1\.1 200 OK/);
    assert.match(head!, new RegExp(`content-length: ${blob.length}`, 'i'));
    assert.match(next!, /^HTTP\/1\.1 200 OK/);
    assert.equal(text.length, Buffer.concat(parts).length);
    assert.ok(text.endsWith('{}'), 'the second answer is /v2/\'s body, and nothing of the blob came');
  });

  for (const [how, host] of ways) test(`pipelined requests are answered in order, each blob whole after the one before (${how})`, async () => {
    const s = netConnect(port, host);
    const parts: Buffer[] = [];
    s.on('data', (b: Buffer) => parts.push(b));
    const ended = new Promise((res, rej) => { s.on('end', res); s.on('error', rej); });
    const path = `/v2/serve/blob/blobs/${digest}`;
    s.write(`GET ${path} HTTP/1.1\r\nHost: registry\r\n\r\nGET ${path} HTTP/1.1\r\nHost: registry\r\nRange: bytes=10-19\r\n\r\n`
      + `GET ${path} HTTP/1.1\r\nHost: registry\r\n\r\nGET /v2/ HTTP/1.1\r\nHost: registry\r\nConnection: close\r\n\r\n`);
    await ended;
    let rest = Buffer.concat(parts);
    const answer = (): { head: string; body: Buffer } => {
      const end = rest.indexOf('\r\n\r\n');
      const head = rest.subarray(0, end).toString('latin1');
      const length = Number(/content-length: (\d+)/i.exec(head)![1]);
      const body = rest.subarray(end + 4, end + 4 + length);
      rest = rest.subarray(end + 4 + length);
      return { head, body };
    };
    const first = answer();
    assert.match(first.head, /^HTTP\/1\.1 200/);
    assert.ok(first.body.equals(blob));
    const second = answer();
    assert.match(second.head, /^HTTP\/1\.1 206/);
    assert.ok(second.body.equals(blob.subarray(10, 20)));
    assert.ok(answer().body.equals(blob));
    assert.equal(answer().body.toString(), '{}');
    assert.equal(rest.length, 0);
  });

  for (const [how, host] of ways) test(`clients that drop the connection mid-blob leave the server serving (${how})`, async () => {
    // Five at once: two go out by the addon, the others are streamed.
    const seen = await Promise.all([1, 2, 3, 4, 5].map((i) => dropMidway(() => netConnect(port, host), `/v2/serve/blob/blobs/${bigDigest}`, i << 20)));
    for (const n of seen) assert.ok(n < big.length);
    const whole = await get(`http://${host}:${port}/v2/serve/blob/blobs/${bigDigest}`);
    assert.ok(whole.body.equals(big), 'the blob, byte for byte, after the dropped ones');
    assert.equal(plain.proc.exitCode, null);
    assert.doesNotMatch(plain.log(), /Error|warning/i);
  });

  test('over TLS blobs come out byte for byte, whole and by range, and a client dropping midway does no harm', async () => {
    const url = `${secure.url}/v2/serve/blob/blobs/${digest}`;
    const whole = await get(url, { ca });
    assert.equal(whole.status, 200);
    assert.ok(whole.body.equals(blob));
    const part = await get(url, { ca, headers: { Range: 'bytes=7-1048582' } });
    assert.equal(part.status, 206);
    assert.ok(part.body.equals(blob.subarray(7, 1_048_583)));
    const port = Number(secure.addr.split(':')[1]);
    await dropMidway(() => tlsConnect({ port, host: '127.0.0.1', ca, servername: 'localhost' }), `/v2/serve/blob/blobs/${bigDigest}`, 1 << 20);
    assert.ok((await get(`${secure.url}/v2/serve/blob/blobs/${bigDigest}`, { ca })).body.equals(big));
    assert.equal(secure.proc.exitCode, null);
  });

  test('over a unix socket blobs come out byte for byte', async () => {
    const whole = await get(`http://registry/v2/serve/blob/blobs/${digest}`, { socketPath: sock });
    assert.ok(whole.body.equals(blob));
    const part = await get(`http://registry/v2/serve/blob/blobs/${bigDigest}`, { socketPath: sock, headers: { Range: 'bytes=33554432-' } });
    assert.equal(part.status, 206);
    assert.ok(part.body.equals(big.subarray(33_554_432)));
  });
});
