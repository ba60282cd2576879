import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { attachStreams } from './streams.js';

test('attachStreams() pauses our stdin while the daemon does not read, and sends every byte once it does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cli-attach-'));
  const server = createServer();
  server.listen(join(dir, 'sock'));
  await once(server, 'listening');
  try {
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const socket = connect(join(dir, 'sock'));
    await once(socket, 'connect');
    const [daemon] = await accepted;
    daemon.pause();
    const stdin = new PassThrough();
    const sent = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < sent.length; i += 4) sent.writeUInt32BE(i, i);
    const io = { stdin, stdout: new PassThrough(), stderr: new PassThrough() };
    const done = attachStreams({ socket, tty: false, io, stdin: true, stdout: true, stderr: false, detachKeys: '' });
    const paused = once(stdin, 'pause');
    // As a pipe delivers it: 64 KiB at a time.
    for (let i = 0; i < sent.length; i += 64 * 1024) stdin.write(sent.subarray(i, i + 64 * 1024));
    stdin.end();
    await paused;
    // Bounded: what the connection buffers, not the whole of stdin.
    assert.ok(socket.writableLength <= 2 * 64 * 1024, `${socket.writableLength} bytes queued on the connection`);
    const got: Buffer[] = [];
    daemon.on('data', (b: Buffer) => got.push(b));
    daemon.resume();
    // Our stdin's end half-closes the connection; the daemon then ends the attach.
    await once(daemon, 'end');
    assert.ok(Buffer.concat(got).equals(sent));
    daemon.end();
    await done;
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
