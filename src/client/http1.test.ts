import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Http1Client, type Http1Response } from './http1.js';

/** A server that answers each request on a connection with the next scripted reply, in pieces. */
async function withServer(replies: Array<string[] | ((s: Socket) => void)>, fn: (client: Http1Client, seen: { requests: string[]; connections: number }) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-http1-'));
  const socketPath = join(dir, 's.sock');
  const seen = { requests: [] as string[], connections: 0 };
  let next = 0;
  const server: Server = createServer((s) => {
    seen.connections++;
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, end);
        const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        seen.requests.push(buf.slice(0, end + 4 + len));
        buf = buf.slice(end + 4 + len);
        const reply = replies[next++]!;
        if (typeof reply === 'function') reply(s);
        else for (const [i, piece] of reply.entries()) setTimeout(() => s.write(piece), i * 2);
      }
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
  const client = new Http1Client({ socketPath }, 'api.moby.localhost');
  try {
    await fn(client, seen);
  } finally {
    client.close();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function text(res: Http1Response): Promise<string> {
  let s = '';
  for await (const c of res) s += (c as Buffer).toString();
  return s;
}

test('Http1Client reads Content-Length, chunked (split anywhere) and HEAD replies over one kept-alive connection', async () => {
  await withServer([
    ['HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\nContent-Length: 2\r\n\r\n'],
    ['HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5', '\r\nhel', 'lo\r', '\n6\r\n wor', 'ld\r\n0\r', '\n\r\n'],
    ['HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 24\r\n\r\n{"message":"No such x"}\n', ''],
  ], async (client, seen) => {
    const ping = await client.request({ method: 'HEAD', path: '/_ping', headers: { 'User-Agent': 't' } });
    assert.equal(ping.statusCode, 200);
    assert.equal(ping.headers['api-version'], '1.47');
    assert.equal(await text(ping), '', 'a HEAD reply has no body, whatever its Content-Length');
    const pull = await client.request({ method: 'POST', path: '/v1.47/images/create?fromImage=x', headers: {} });
    assert.equal(pull.headers['content-type'], 'application/json');
    assert.equal(await text(pull), 'hello world');
    const missing = await client.request({ method: 'GET', path: '/v1.47/containers/x/json', headers: {} });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.statusMessage, 'Not Found');
    assert.equal(missing.req.path, '/v1.47/containers/x/json');
    assert.equal(await text(missing), '{"message":"No such x"}\n');
    assert.equal(seen.connections, 1);
    assert.match(seen.requests[0]!, /^HEAD \/_ping HTTP\/1\.1\r\nHost: api\.moby\.localhost\r\nUser-Agent: t\r\n/);
    assert.match(seen.requests[1]!, /\r\nContent-Length: 0\r\n/, 'a POST without a body says so');
    assert.doesNotMatch(seen.requests[2]!, /Content-Length/);
  });
});

test('Http1Client sends a body, reads a reply that ends with its connection, and opens a new one after', async () => {
  await withServer([
    (s) => s.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it'),
    ['HTTP/1.1 204 No Content\r\n\r\n'],
  ], async (client, seen) => {
    const res = await client.request({ method: 'POST', path: '/auth', headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' });
    assert.equal(await text(res), 'all of it');
    assert.match(seen.requests[0]!, /\r\nContent-Length: 7\r\n[^]*\r\n\r\n\{"a":1\}$/);
    const again = await client.request({ method: 'DELETE', path: '/containers/x', headers: {} });
    assert.equal(again.statusCode, 204);
    assert.equal(await text(again), '');
    assert.equal(seen.connections, 2);
  });
});

test('Http1Client: a body left unread ends its connection; an abort stops the reply; a refused connection says ENOENT', async () => {
  await withServer([
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n'],
  ], async (client, seen) => {
    const follow = await client.request({ method: 'GET', path: '/events', headers: {} });
    follow.destroy();
    const next = await client.request({ method: 'GET', path: '/_ping', headers: {} });
    assert.equal(await text(next), 'ok');
    assert.equal(seen.connections, 2, 'the abandoned connection was not reused');
    const ac = new AbortController();
    const logs = await client.request({ method: 'GET', path: '/logs', headers: {}, signal: ac.signal });
    const chunks: string[] = [];
    logs.on('data', (c: Buffer) => {
      chunks.push(c.toString());
      ac.abort();
    });
    await assert.rejects(new Promise((resolve, reject) => logs.on('end', resolve).on('error', reject)), (e: Error) => e.name === 'AbortError');
    assert.deepEqual(chunks, ['abc']);
  });
  const client = new Http1Client({ socketPath: join(tmpdir(), 'berth-http1-nowhere.sock') }, 'x');
  await assert.rejects(client.request({ method: 'GET', path: '/_ping', headers: {} }), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
});

test('Http1Client refuses garbage from the other end: no status line, a chunk size that is no number, a head without end', async () => {
  await withServer([
    ['SSH-2.0-OpenSSH\r\n\r\n'],
  ], async (client) => {
    await assert.rejects(client.request({ method: 'GET', path: '/_ping', headers: {} }), /malformed HTTP response: "SSH-2.0-OpenSSH"/);
  });
  await withServer([
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\nmore'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-Trailer: 1\r\n\r\n'],
  ], async (client, seen) => {
    const res = await client.request({ method: 'GET', path: '/events', headers: {} });
    await assert.rejects(text(res), /malformed HTTP response: bad chunked framing/);
    const next = await client.request({ method: 'GET', path: '/_ping', headers: {} });
    assert.equal(await text(next), 'ok', 'a trailer after the last chunk is read past');
    assert.equal(seen.connections, 2, 'the connection that sent garbage was not reused');
  });
  await withServer([
    (s) => s.write(`HTTP/1.1 200 OK\r\nX-Long: ${'a'.repeat(70 * 1024)}`),
  ], async (client) => {
    await assert.rejects(client.request({ method: 'GET', path: '/_ping', headers: {} }), /header too long/);
  });
});
