import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { SeqpacketServer, type SeqpacketSocket } from 'node-unix-socket';
import { connectSeqpacket } from './seqpacket.js';

let dir = '';
before(async () => { dir = await mkdtemp(join(tmpdir(), 'berth-seqpacket-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

function serve(path: string, onConn: (s: SeqpacketSocket) => void): SeqpacketServer {
  const server = new SeqpacketServer();
  server.listen(path);
  server.on('connection', onConn);
  return server;
}

test('destroy() inside a data handler does not abort the process', async () => {
  const path = join(dir, 'a.sock');
  const server = serve(path, (s) => {
    s.write(Buffer.from('one'));
    s.write(Buffer.from('two'));
  });
  try {
    const conn = await connectSeqpacket(path);
    const got: string[] = [];
    conn.on('data', (b) => {
      got.push(b.toString());
      conn.destroy();
    });
    await once(conn, 'close');
    assert.equal(got[0], 'one');
    assert.equal(conn.destroyed, true);
  } finally {
    server.close();
  }
});

test('packets keep their boundaries both ways and end() half-closes', async () => {
  const path = join(dir, 'b.sock');
  const received: string[] = [];
  let serverEnded!: () => void;
  const ended = new Promise<void>((r) => { serverEnded = r; });
  const server = serve(path, (s) => {
    s.on('data', (b: Buffer) => received.push(b.toString()));
    s.on('end', () => {
      s.write(Buffer.from('bye'));
      serverEnded();
    });
  });
  try {
    const conn = await connectSeqpacket(path);
    const replies: string[] = [];
    conn.on('data', (b) => replies.push(b.toString()));
    await conn.write(Buffer.from('ab'));
    await conn.write(Buffer.from('c'));
    conn.end();
    await ended;
    while (replies.length === 0) await once(conn, 'data');
    assert.deepEqual(received, ['ab', 'c']);
    assert.deepEqual(replies, ['bye']);
    conn.destroy();
    await once(conn, 'close');
  } finally {
    server.close();
  }
});

test('connectSeqpacket() reaches sockets whose path exceeds sun_path', async () => {
  const deep = join(dir, 'x'.repeat(60), 'y'.repeat(60));
  await mkdir(deep, { recursive: true });
  const path = join(deep, 'attach');
  assert.ok(path.length > 108);
  // The server binds through /proc/self/fd too, as conmon does.
  const { openSync, closeSync } = await import('node:fs');
  const fd = openSync(deep, 'r');
  const server = serve(`/proc/self/fd/${fd}/attach`, (s) => s.write(Buffer.from('hi')));
  closeSync(fd);
  try {
    const conn = await connectSeqpacket(path);
    const [b] = (await once(conn, 'data')) as [Buffer];
    assert.equal(b.toString(), 'hi');
    conn.destroy();
    await once(conn, 'close');
  } finally {
    server.close();
  }
});

test('connectSeqpacket() rejects when nothing listens', async () => {
  await assert.rejects(connectSeqpacket(join(dir, 'missing.sock')));
});
