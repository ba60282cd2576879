import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DigestMismatchError, sha256 } from '../../base/index.js';
import { ContentStore } from './content-store.js';

test('ContentStore.ingest() commits a verified blob and refuses a wrong digest, leaving nothing', async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-content-'));
  try {
    const cs = await ContentStore.open(root);
    const data = Buffer.from('hello blob');
    const r = await cs.ingest([data.subarray(0, 3), data.subarray(3)], { expected: sha256(data) });
    assert.equal(r.digest, sha256(data));
    assert.deepEqual(await cs.readBytes(r.digest), data);
    const wrong = sha256('other');
    await assert.rejects(cs.ingest([Buffer.from('tampered')], { expected: wrong }), DigestMismatchError);
    assert.equal(await cs.has(wrong), false);
    assert.deepEqual(await readdir(join(root, 'content', 'ingest')), []);
    assert.deepEqual(await cs.list(), [sha256(data)]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('ContentStore.resumableWriter() keeps an aborted download, resumes it (across a reopen) and drops it on a mismatch', async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-content-'));
  try {
    const data = Buffer.from('0123456789abcdef');
    const digest = sha256(data);
    let cs = await ContentStore.open(root);
    const w1 = await cs.resumableWriter(digest);
    assert.equal(w1.held, 0);
    await w1.write(data.subarray(0, 6));
    // a second writer of the same digest meanwhile gets a plain one
    const other = await cs.resumableWriter(digest);
    assert.equal(other.held, 0);
    await other.abort();
    await w1.abort({ keep: true });
    cs = await ContentStore.open(root);
    const w2 = await cs.resumableWriter(digest);
    assert.equal(w2.held, 6);
    await w2.write(data.subarray(6));
    assert.deepEqual(await w2.commit(), { digest, size: data.length, created: true });
    assert.deepEqual(await cs.readBytes(digest), data);
    assert.deepEqual(await readdir(join(root, 'content', 'ingest')), []);

    const other2 = sha256('other bytes');
    const w3 = await cs.resumableWriter(other2);
    await w3.write(Buffer.from('not them'));
    await assert.rejects(w3.commit(), DigestMismatchError);
    assert.deepEqual(await readdir(join(root, 'content', 'ingest')), []);
    assert.equal(await cs.has(other2), false);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
