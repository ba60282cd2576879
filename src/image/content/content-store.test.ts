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
