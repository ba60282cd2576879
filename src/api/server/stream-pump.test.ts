import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { pumpStreams } from './stream-pump.js';

let dir = '';
let server: Server;
let path = '';
const accepted: Socket[] = [];
const waiting: Array<(s: Socket) => void> = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-pump-'));
  path = join(dir, 'sock');
  server = createServer((s) => {
    const w = waiting.shift();
    if (w) w(s);
    else accepted.push(s);
  });
  server.listen(path);
  await once(server, 'listening');
});

after(async () => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A connected pair over a unix socket: the server's side (the pump's) and the client's. */
async function pair(): Promise<{ near: Socket; far: Socket }> {
  const near = new Promise<Socket>((resolve) => { const s = accepted.shift(); if (s) resolve(s); else waiting.push(resolve); });
  const far = connect(path);
  await once(far, 'connect');
  return { near: await near, far };
}

const CHUNK = 64 * 1024;

/** Container output that is made on demand, as fast as it is read. */
function endlessOutput(): Readable & { produced: number } {
  const r = new Readable({
    read() {
      r.produced += CHUNK;
      this.push(Buffer.alloc(CHUNK, 0x61));
    },
  }) as Readable & { produced: number };
  r.produced = 0;
  return r;
}

/** Parse Docker frames; returns the payload bytes of each stream. */
function unframe(b: Buffer): { 1: number; 2: number; rest: number } {
  const out = { 1: 0, 2: 0, rest: 0 };
  let i = 0;
  while (i + 8 <= b.length) {
    const n = b.readUInt32BE(i + 4);
    if (i + 8 + n > b.length) break;
    out[b[i] as 1 | 2] += n;
    i += 8 + n;
  }
  out.rest = b.length - i;
  return out;
}

test('pumpStreams() pauses container output while the client does not read, and resumes when it does', async () => {
  const { near, far } = await pair();
  far.pause();
  const stdout = endlessOutput();
  const closed: string[] = [];
  const stderr = new PassThrough();
  stderr.end();
  const done = pumpStreams(near, { stdout, stderr, close: () => { closed.push('close'); stdout.destroy(); } },
    { tty: false, stdout: true, stderr: true, stdin: false, stdinOnce: false });
  await once(stdout, 'pause');
  // Bounded: the socket's buffer and the kernel's, not everything the container could write.
  const atPause = stdout.produced;
  assert.ok(atPause < 8 * 1024 * 1024, `${atPause} bytes made before the pause`);
  assert.ok(near.writableLength < 2 * CHUNK + 16, `${near.writableLength} bytes queued in the socket`);
  // The client reads: output flows again.
  const got: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve) => {
    far.on('data', (b: Buffer) => {
      got.push(b);
      size += b.length;
      if (size >= atPause + 4 * 1024 * 1024) resolve();
    });
    far.resume();
  });
  stdout.push(null);
  await once(far, 'end');
  await done;
  const frames = unframe(Buffer.concat(got, size));
  assert.equal(frames[1], stdout.produced);
  assert.equal(frames.rest, 0);
  assert.deepEqual(closed, ['close']);
  far.destroy();
});

test('pumpStreams() stops reading the client while the container takes no stdin, and keeps every byte in order', async () => {
  const { near, far } = await pair();
  const held: Array<() => void> = [];
  let release = false;
  const received: Buffer[] = [];
  const stdin = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, cb) {
      received.push(chunk);
      if (release) cb();
      else held.push(cb);
    },
  });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const done = pumpStreams(near, { stdout, stderr, stdin, close: () => stdout.end() },
    { tty: false, stdout: true, stderr: true, stdin: true, stdinOnce: true });
  const sent = Buffer.alloc(8 * 1024 * 1024);
  for (let i = 0; i < sent.length; i += 4) sent.writeUInt32BE(i, i);
  far.write(sent);
  far.end();
  await once(near, 'pause');
  assert.ok(stdin.writableLength <= 16 * 1024 + CHUNK, `${stdin.writableLength} bytes queued for stdin`);
  assert.ok(Buffer.concat(received).length < sent.length);
  release = true;
  for (const cb of held.splice(0)) cb();
  // StdinOnce without a TTY: the client's end closes the container's stdin.
  await once(stdin, 'finish');
  assert.ok(Buffer.concat(received).equals(sent));
  stdout.end();
  stderr.end();
  await done;
  far.destroy();
});

test('pumpStreams() ends the attach on the detach keys and leaves the client its connection end', async () => {
  const { near, far } = await pair();
  const chunks: Buffer[] = [];
  const stdin = new PassThrough();
  stdin.on('data', (b: Buffer) => chunks.push(b));
  let closes = 0;
  const stdout = new PassThrough();
  const done = pumpStreams(near, { stdout, stderr: new PassThrough(), stdin, close: () => { closes++; stdout.end(); } }, {
    tty: true, stdout: true, stderr: true, stdin: true, stdinOnce: false,
    body: { feed: (b) => b.subarray(b.indexOf(0x7c) + 1) },
    detach: { feed: (b) => { const i = b.indexOf(0x10); return i < 0 ? { forward: b, detach: false } : { forward: b.subarray(0, i), detach: true }; } },
  });
  far.resume();
  far.write('body|typed\x10after');
  await done;
  await once(far, 'end');
  assert.equal(Buffer.concat(chunks).toString(), 'typed');
  assert.ok(closes >= 1);
  far.destroy();
});

test('pumpStreams() closes the container side when the client is already gone', async () => {
  const { near, far } = await pair();
  far.destroy();
  near.destroy();
  await once(near, 'close');
  let closed = false;
  await pumpStreams(near, { stdout: new PassThrough(), stderr: new PassThrough(), close: () => { closed = true; } },
    { tty: true, stdout: true, stderr: true, stdin: false, stdinOnce: false });
  assert.ok(closed);
});
