import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EngineClient } from './engine-client.js';
import { ClientError, ConnectionError } from './errors.js';
import { encodeFrame, readFrames, STDOUT } from './stdcopy.js';

// A fake Engine API on a unix socket: enough behaviour to check the client's side of the contract.
let dir: string;
let sock: string;
let server: Server;
let apiVersion = '1.41';
const seen: string[] = [];
let releaseWait: (() => void) | undefined;

function handle(req: IncomingMessage, res: ServerResponse): void {
  seen.push(`${req.method} ${req.url}`);
  const url = req.url ?? '';
  if (url === '/_ping') {
    res.writeHead(200, { 'API-Version': apiVersion, OSType: 'linux', 'Docker-Experimental': 'false' });
    res.end(req.method === 'HEAD' ? undefined : 'OK');
    return;
  }
  if (url.endsWith('/containers/nope/json')) {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ message: 'No such container: nope' }));
    return;
  }
  if (url.endsWith('/containers/plain/json')) {
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end('something broke\n');
    return;
  }
  if (url.includes('/events')) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"Type":"container","Action":"start","Actor":{"ID":"c1","Attributes":{}},"scope":"local","time":1796576400,"timeNano":1796576400123456789}\n');
    if (url.includes('until=')) res.end();
    else setImmediate(() => res.destroy());
    return;
  }
  if (url.includes('/containers/c1/wait')) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    releaseWait = () => res.end(JSON.stringify({ StatusCode: 3, Error: null }));
    return;
  }
  if (url.includes('/containers/create')) {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ Id: 'abc', Warnings: [], echo: JSON.parse(body) }));
    });
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end('[]');
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-client-'));
  sock = join(dir, 'api.sock');
  server = createServer(handle);
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    seen.push(`UPGRADE ${req.url}`);
    if (!req.url?.includes('/containers/c1/attach')) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 37\r\n\r\n{"message":"No such container: nope"}');
      return;
    }
    socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    socket.write(encodeFrame(STDOUT, 'hello\n'));
    // Echo stdin back as stdout frames until the client half-closes.
    socket.on('data', (d: Buffer) => socket.write(encodeFrame(STDOUT, d)));
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((r) => server.listen(sock, r));
});

after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('requests are prefixed with the version negotiated on /_ping', async () => {
  apiVersion = '1.41';
  seen.length = 0;
  const c = new EngineClient({ host: `unix://${sock}` });
  await c.containerList({ all: true });
  assert.deepEqual(seen, ['HEAD /_ping', 'GET /v1.41/containers/json?all=1']);
  assert.equal(c.apiVersion, '1.41');
  c.close();
});

test('negotiation caps at the client version when the daemon is newer', async () => {
  apiVersion = '1.99';
  const c = new EngineClient({ host: `unix://${sock}` });
  await c.imageList();
  assert.equal(c.apiVersion, '1.50');
  c.close();
});

test('a pinned API version skips /_ping', async () => {
  seen.length = 0;
  const c = new EngineClient({ host: `unix://${sock}`, apiVersion: '1.43' });
  await c.imageList();
  assert.deepEqual(seen, ['GET /v1.43/images/json']);
  c.close();
});

test('a JSON error becomes a ClientError with status, kind and docker wording', async () => {
  const c = new EngineClient({ host: `unix://${sock}` });
  await assert.rejects(c.containerInspect('nope'), (e: unknown) => {
    assert.ok(e instanceof ClientError);
    assert.equal(e.status, 404);
    assert.equal(e.kind, 'not-found');
    assert.equal(e.serverMessage, 'No such container: nope');
    assert.equal(e.message, 'Error response from daemon: No such container: nope');
    return true;
  });
  await assert.rejects(c.containerInspect('plain'), /^ClientError: Error response from daemon: something broke$/);
  c.close();
});

test('an unreachable socket is a ConnectionError naming the address', async () => {
  const c = new EngineClient({ host: `unix://${join(dir, 'missing.sock')}` });
  await assert.rejects(c.info(), (e: unknown) => e instanceof ConnectionError && e.message === `Cannot connect to the berth daemon at unix://${join(dir, 'missing.sock')}. Is the berth daemon running?`);
});

test('containerCreate() normalizes capabilities and sends the name in the query', async () => {
  seen.length = 0;
  const c = new EngineClient({ host: `unix://${sock}`, apiVersion: '1.50' });
  const r = await c.containerCreate({ Image: 'busybox', MacAddress: 'x', HostConfig: { CapAdd: ['net_admin', 'CAP_NET_ADMIN', 'all'], CapDrop: ['chown'] } }, { name: 'web' });
  const echo = (r as unknown as { echo: { HostConfig: { CapAdd: string[]; CapDrop: string[] }; MacAddress?: string } }).echo;
  assert.deepEqual(echo.HostConfig.CapAdd, ['ALL', 'CAP_NET_ADMIN']);
  assert.deepEqual(echo.HostConfig.CapDrop, ['CAP_CHOWN']);
  assert.equal(echo.MacAddress, undefined);
  assert.deepEqual(seen, ['POST /v1.50/containers/create?name=web']);
  c.close();
});

test('containerWait() resolves once registered and its result when the container exits', async () => {
  const c = new EngineClient({ host: `unix://${sock}`, apiVersion: '1.50' });
  const { result } = await c.containerWait('c1', 'next-exit');
  assert.ok(releaseWait, 'the daemon saw the wait before the client went on');
  releaseWait!();
  assert.deepEqual(await result, { StatusCode: 3, Error: null });
  c.close();
});

test('containerAttach() upgrades the connection and carries stdin and output both ways', async () => {
  const c = new EngineClient({ host: `unix://${sock}`, apiVersion: '1.50' });
  const socket = await c.containerAttach('c1', { stream: true, stdin: true, stdout: true });
  socket.write('ping\n');
  socket.end();
  const got: string[] = [];
  for await (const f of readFrames(socket)) got.push(f.data.toString());
  assert.deepEqual(got.join(''), 'hello\nping\n');
  assert.ok(seen.includes('UPGRADE /v1.50/containers/c1/attach?stream=1&stdin=1&stdout=1'));
  c.close();
});

test('containerAttach() turns a refused upgrade into a ClientError', async () => {
  const c = new EngineClient({ host: `unix://${sock}`, apiVersion: '1.50' });
  await assert.rejects(c.containerAttach('nope', { stream: true }), /Error response from daemon: No such container: nope/);
  c.close();
});

test('events() reads timeNano exactly, ends with the stream, and reports a cut stream as Go does', async () => {
  const c = new EngineClient({ host: `unix://${sock}` });
  const got: Array<{ action: string; timeNano: bigint }> = [];
  for await (const e of c.events({ until: '1796576401' })) got.push({ action: e.message.Action, timeNano: e.timeNano });
  assert.deepEqual(got, [{ action: 'start', timeNano: 1796576400123456789n }]);
  const cut = async (): Promise<void> => { for await (const _ of c.events()) { /* drain */ } };
  await assert.rejects(cut(), /^Error: unexpected EOF$/);
});

