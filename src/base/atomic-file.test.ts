import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from './atomic-file.js';

test('writeFileAtomic() replaces the file whole, durable or not, and leaves no temp file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-atomic-'));
  try {
    const path = join(dir, 'sub', 'state.json');
    await writeJsonAtomic(path, { n: 1 });
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { n: 1 });
    await writeJsonAtomic(path, { n: 2 }, { durable: false });
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { n: 2 });
    await writeFileAtomic(path, 'three', { durable: false });
    assert.equal(await readFile(path, 'utf8'), 'three');
    assert.deepEqual(await readdir(join(dir, 'sub')), ['state.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
