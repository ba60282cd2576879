import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DigestMismatchError, sha256 } from '../../base/index.js';
import { ContentStore } from '../../image/index.js';
import { fetchBlob, openBlobStream } from './blob-fetch.js';
import { RegistrySession } from './session.js';
import { Transport } from './transport.js';

/** A registry of one blob that honours Range and, while `cut` is set, ends each response early. */
async function blobServer(blob: Buffer): Promise<{ host: string; ranges: Array<string | undefined>; cut: { at?: number }; close(): Promise<void> }> {
  const ranges: Array<string | undefined> = [];
  const cut: { at?: number } = {};
  const server = createServer((req, res) => {
    if (req.url === '/v2/') return void res.writeHead(200).end('{}');
    ranges.push(req.headers.range);
    const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    const body = blob.subarray(from);
    res.writeHead(from ? 206 : 200, { 'Content-Length': body.length, ...(from ? { 'Content-Range': `bytes ${from}-${blob.length - 1}/${blob.length}` } : {}) });
    if (cut.at !== undefined) {
      res.write(body.subarray(0, cut.at), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { host: `127.0.0.1:${port}`, ranges, cut, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

/** A content store in a temp dir and a session to a one-blob server, torn down after `fn`. */
async function withBlobServer(blob: Buffer, fn: (o: { root: string; cs: ContentStore; s: RegistrySession; srv: Awaited<ReturnType<typeof blobServer>> }) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'berth-fetch-'));
  const srv = await blobServer(blob);
  const transport = new Transport([]);
  try {
    const cs = await ContentStore.open(root);
    await fn({ root, cs, srv, s: new RegistrySession(transport, { host: srv.host, schemes: ['http'], mirror: false }) });
  } finally {
    transport.close();
    await srv.close();
    await rm(root, { recursive: true, force: true });
  }
}

test('fetchBlob() resumes a cut download with Range, keeps the part when it gives up, and starts over when held bytes do not verify', async () => {
  const blob = Buffer.alloc(300_000, 7).fill(9, 100_000);
  const digest = sha256(blob);
  await withBlobServer(blob, async ({ root, cs, s, srv }) => {
    srv.cut.at = 50_000;
    await assert.rejects(fetchBlob(s, cs, { repo: 'r', digest, size: blob.length, attempts: 2 }));
    assert.deepEqual(srv.ranges, [undefined, 'bytes=50000-']);
    assert.equal(await cs.has(digest), false);
    assert.deepEqual(await readdir(join(root, 'content', 'ingest')), [`partial-${digest.slice(7)}`]);
    srv.cut.at = undefined;
    srv.ranges.length = 0;
    assert.equal(await fetchBlob(s, cs, { repo: 'r', digest, size: blob.length, attempts: 1 }), true);
    assert.deepEqual(srv.ranges, ['bytes=100000-']);
    assert.deepEqual(await cs.readBytes(digest), blob);
    // a torn partial file: the resumed bytes fail verification, the download starts again from 0
    await cs.delete(digest);
    await mkdir(join(root, 'content', 'ingest'), { recursive: true });
    await writeFile(join(root, 'content', 'ingest', `partial-${digest.slice(7)}`), Buffer.alloc(1000, 1));
    srv.ranges.length = 0;
    assert.equal(await fetchBlob(s, cs, { repo: 'r', digest, size: blob.length, attempts: 1 }), true);
    assert.deepEqual(srv.ranges, ['bytes=1000-', undefined]);
    assert.deepEqual(await cs.readBytes(digest), blob);
  });
});

test('openBlobStream() yields held bytes then the rest as one stream, and a blob that does not match fails the iteration itself', async () => {
  const blob = Buffer.alloc(200_000, 3).fill(4, 70_000);
  const digest = sha256(blob);
  await withBlobServer(blob, async ({ root, cs, s, srv }) => {
    await mkdir(join(root, 'content', 'ingest'), { recursive: true });
    await writeFile(join(root, 'content', 'ingest', `partial-${digest.slice(7)}`), blob.subarray(0, 30_000));
    const b = await openBlobStream(s, cs, { repo: 'r', digest, size: blob.length, attempts: 1 });
    assert.equal(b.held, 30_000);
    const got: Buffer[] = [];
    for await (const c of b.bytes) got.push(c);
    assert.deepEqual(Buffer.concat(got), blob);
    assert.deepEqual(srv.ranges, ['bytes=30000-']);
    assert.equal(await cs.has(digest), false, 'nothing is committed before commit()');
    await b.commit();
    assert.deepEqual(await cs.readBytes(digest), blob);
    // a registry that serves other bytes under the digest: the last read throws, and abort drops them
    const wrong = sha256(Buffer.from('another blob'));
    const bad = await openBlobStream(s, cs, { repo: 'r', digest: wrong, size: blob.length, attempts: 1 });
    let seen = 0;
    const err = await (async () => {
      try {
        for await (const c of bad.bytes) seen += c.length;
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof DigestMismatchError, String(err));
    assert.equal(seen, blob.length, 'every byte went by before the check');
    await bad.abort(err);
    assert.deepEqual(await readdir(join(root, 'content', 'ingest')), []);
    assert.equal(await cs.has(wrong), false);
  });
});
