import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { open, mkdtemp, rm, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { hostAddon } from './native.js';
import { sendFileTo } from './send-file.js';

/** A connected pair over TCP on 127.0.0.1 (or a unix socket in `dir`): the server's end sends, the client's receives. */
async function socketPair(dir?: string): Promise<{ sender: Socket; receiver: Socket; close(): void }> {
  const server = createServer();
  await new Promise<void>((res) => (dir ? server.listen(join(dir, 'sock'), res) : server.listen(0, '127.0.0.1', res)));
  const accepted = new Promise<Socket>((res) => server.once('connection', res));
  const addr = server.address();
  const receiver = typeof addr === 'string' ? connect(addr) : connect(addr!.port, '127.0.0.1');
  const sender = await accepted;
  server.close();
  return { sender, receiver, close: () => { sender.destroy(); receiver.destroy(); } };
}

function collect(s: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on('data', (b: Buffer) => parts.push(b));
  return new Promise((res, rej) => { s.on('end', () => res(Buffer.concat(parts))); s.on('error', rej); });
}

async function withFile(fn: (t: { dir: string; file: FileHandle; data: Buffer }) => Promise<void>, opts: { size: number; sparse?: boolean }): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-send-file-'));
  const path = join(dir, 'blob');
  const data = opts.sparse ? Buffer.alloc(0) : randomBytes(opts.size);
  if (opts.sparse) {
    await writeFile(path, '');
    await truncate(path, opts.size);
  } else {
    await writeFile(path, data);
  }
  const file = await open(path, 'r');
  try {
    await fn({ dir, file, data });
  } finally {
    await file.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const skip = !hostAddon?.sendFile && 'the addon is not built';

test('sendFileTo() sends a file whole, then a range of it, after what was written to the socket before', { skip }, async () => {
  await withFile(async ({ file, data }) => {
    const p = await socketPair();
    try {
      const got = collect(p.receiver);
      p.sender.write('HTTP/1.1 200 OK\r\n\r\n');
      assert.equal(await sendFileTo(p.sender, file, { offset: 0, length: data.length }), true);
      assert.equal(await sendFileTo(p.sender, file, { offset: 12_345, length: 3 << 20 }), true);
      p.sender.end();
      const all = await got;
      assert.equal(all.subarray(0, 19).toString(), 'HTTP/1.1 200 OK\r\n\r\n');
      assert.ok(all.subarray(19, 19 + data.length).equals(data), 'the whole file, byte for byte');
      assert.ok(all.subarray(19 + data.length).equals(data.subarray(12_345, 12_345 + (3 << 20))), 'the range, byte for byte');
    } finally {
      p.close();
    }
  }, { size: 6 << 20 });
});

test('sendFileTo() with copy sends the same bytes through the addon\'s buffer, whole and by range', { skip }, async () => {
  await withFile(async ({ file, data }) => {
    const p = await socketPair();
    try {
      const got = collect(p.receiver);
      p.sender.write('head ');
      assert.equal(await sendFileTo(p.sender, file, { offset: 0, length: data.length, copy: true }), true);
      assert.equal(await sendFileTo(p.sender, file, { offset: 777, length: (1 << 20) + 3, copy: true }), true);
      p.sender.end();
      const all = await got;
      assert.equal(all.subarray(0, 5).toString(), 'head ');
      assert.ok(all.subarray(5, 5 + data.length).equals(data));
      assert.ok(all.subarray(5 + data.length).equals(data.subarray(777, 777 + (1 << 20) + 3)));
    } finally {
      p.close();
    }
  }, { size: (5 << 20) + 123 });
});

test('sendFileTo() rejects with ENODATA when the file is shorter than the range, in both ways', { skip }, async () => {
  await withFile(async ({ file, data }) => {
    for (const copy of [false, true]) {
      const p = await socketPair();
      try {
        p.receiver.resume();
        await assert.rejects(sendFileTo(p.sender, file, { offset: 0, length: data.length + 10, copy }), { code: 'ENODATA' });
      } finally {
        p.close();
      }
    }
  }, { size: 100_000 });
});

test('sendFileTo() sends over a unix socket', { skip }, async () => {
  await withFile(async ({ dir, file, data }) => {
    const p = await socketPair(dir);
    try {
      const got = collect(p.receiver);
      assert.equal(await sendFileTo(p.sender, file, { offset: 0, length: data.length }), true);
      p.sender.end();
      assert.ok((await got).equals(data));
    } finally {
      p.close();
    }
  }, { size: 3 << 20 });
});

test('sendFileTo() rejects when the peer goes away midway, in both ways, and the socket can be destroyed', { skip }, async () => {
  await withFile(async ({ file }) => {
    for (const copy of [false, true]) {
      const p = await socketPair();
      // Node reads on that socket too and sees the reset: the socket's error, not the transfer's.
      p.sender.on('error', () => {});
      try {
        let seen = 0;
        p.receiver.on('data', (b: Buffer) => {
          seen += b.length;
          if (seen > 1 << 20) p.receiver.destroy(); // unread bytes left: the kernel resets the connection
        });
        await assert.rejects(sendFileTo(p.sender, file, { offset: 0, length: 256 << 20, copy }), (e: NodeJS.ErrnoException) => {
          // The job's errno, or Node's own read of the reset closing the socket first.
          assert.ok(e.code === 'EPIPE' || e.code === 'ECONNRESET' || /connection closed/.test(e.message), `${e.code}: ${e.message}`);
          return true;
        });
        p.sender.destroy();
      } finally {
        p.close();
      }
    }
  }, { size: 256 << 20, sparse: true });
});

test('sendFileTo() settles soon when Node closes the socket while the peer reads nothing', { skip }, async () => {
  await withFile(async ({ file }) => {
    const p = await socketPair();
    try {
      p.receiver.pause();
      const sending = sendFileTo(p.sender, file, { offset: 0, length: 64 << 20 });
      const started = Date.now();
      setTimeout(() => p.sender.destroy(), 100);
      await assert.rejects(sending, /connection closed/);
      assert.ok(Date.now() - started < 2000, `settled after ${Date.now() - started} ms`);
    } finally {
      p.close();
    }
  }, { size: 64 << 20, sparse: true });
});

test('sendFileTo() declines a TLS socket, and a third transfer while two run, having written nothing', { skip }, async () => {
  await withFile(async ({ file }) => {
    const pairs = [await socketPair(), await socketPair(), await socketPair()];
    try {
      const tls = new TLSSocket(pairs[2]!.sender);
      assert.equal(await sendFileTo(tls, file, { offset: 0, length: 1024 }), false);
      tls.destroy();
      for (const p of pairs) p.receiver.pause();
      const running = pairs.slice(0, 2).map((p) => sendFileTo(p.sender, file, { offset: 0, length: 64 << 20 }).catch((e: Error) => e));
      const third = await socketPair();
      const got: Buffer[] = [];
      third.receiver.on('data', (b: Buffer) => got.push(b));
      try {
        assert.equal(await sendFileTo(third.sender, file, { offset: 0, length: 1024 }), false);
        third.sender.end();
        await new Promise((res) => third.receiver.on('end', res));
        assert.equal(Buffer.concat(got).length, 0);
      } finally {
        third.close();
      }
      for (const p of pairs.slice(0, 2)) p.sender.destroy();
      for (const r of await Promise.all(running)) assert.ok(r instanceof Error);
      // Both slots are free again.
      const again = await socketPair();
      try {
        const all = collect(again.receiver);
        assert.equal(await sendFileTo(again.sender, file, { offset: 0, length: 1 << 20 }), true);
        again.sender.end();
        assert.equal((await all).length, 1 << 20);
      } finally {
        again.close();
      }
    } finally {
      for (const p of pairs) p.close();
    }
  }, { size: 64 << 20, sparse: true });
});
