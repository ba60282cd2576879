import { test } from 'node:test';
import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, rename, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { treeSize } from './rootfs-adapter.js';

const HOST_BYTES = 1 << 30;

async function withUpper(fn: (upper: string, host: string) => Promise<void>): Promise<void> {
  const d = await mkdtemp(join(tmpdir(), 'berth-size-'));
  const upper = join(d, 'upper');
  const host = join(d, 'host');
  await mkdir(join(upper, 'd'), { recursive: true });
  await mkdir(host);
  await writeFile(join(host, 'big'), '');
  await truncate(join(host, 'big'), HOST_BYTES); // sparse: 1 GiB that takes no room
  await writeFile(join(upper, 'd/f'), '0123456789');
  await link(join(upper, 'd/f'), join(upper, 'd/f2'));
  await symlink(host, join(upper, 'dl'));
  try {
    await fn(upper, host);
  } finally {
    await rm(d, { recursive: true, force: true });
  }
}

test('treeSize() counts each inode once, symlinks as themselves, and never follows them', async () => {
  await withUpper(async (upper, host) => {
    assert.equal(await treeSize(upper), 10 + host.length);
    assert.equal(await treeSize(join(upper, 'absent')), 0);
  });
});

// A worker swaps upper/d for the symlink to the host directory as fast as it can.
test('treeSize() never walks the host while a directory of the upper dir is swapped for a symlink', async () => {
  await withUpper(async (upper) => {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(`
      const { renameSync } = require('node:fs');
      const { workerData: { dir, stop } } = require('node:worker_threads');
      const p = (n) => dir + '/' + n;
      while (Atomics.load(stop, 0) === 0) {
        renameSync(p('d'), p('dd'));
        renameSync(p('dl'), p('d'));
        renameSync(p('d'), p('dl'));
        renameSync(p('dd'), p('d'));
      }
    `, { eval: true, workerData: { dir: upper, stop } });
    const exited = new Promise((resolve) => worker.on('exit', resolve));
    let max = 0;
    try {
      for (let i = 0; i < 2000; i++) max = Math.max(max, await treeSize(upper).catch(() => 0)); // the route answers 0 on an error
    } finally {
      Atomics.store(stop, 0, 1);
      await exited;
    }
    assert.ok(max < HOST_BYTES, `a size of ${max} counted the host's file`);
  });
});
