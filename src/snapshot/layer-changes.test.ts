import { test } from 'node:test';
import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, rm, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { layerChanges, layerUsage } from './layer-changes.js';

async function withDirs(fn: (d: { upper: string; lower: string; outside: string }) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'berth-changes-'));
  const d = { upper: join(root, 'upper'), lower: join(root, 'lower'), outside: join(root, 'outside') };
  try {
    for (const p of Object.values(d)) await mkdir(p);
    await fn(d);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const listed = async (upper: string, lower: string): Promise<string[]> =>
  (await layerChanges({ upper, lowerDirs: [lower] })).map((c) => `${c.kind} ${c.path}`);

test('layerChanges() lists the parent of an addition as changed even when its own metadata is the same', async () => {
  await withDirs(async ({ upper, lower }) => {
    await mkdir(join(lower, 'lib'));
    await mkdir(join(upper, 'lib'));
    await writeFile(join(upper, 'lib/new'), 'n');
    // copy-up keeps a directory's mtime; make both sides equal after the write
    const t = new Date('2020-01-02T03:04:05Z');
    await utimes(join(lower, 'lib'), t, t);
    await utimes(join(upper, 'lib'), t, t);
    assert.deepEqual(await listed(upper, lower), ['C /lib', 'A /lib/new']);
  });
});

test('layerChanges() leaves out a directory that only holds changed files and is itself the same', async () => {
  await withDirs(async ({ upper, lower }) => {
    await mkdir(join(lower, 'etc'));
    await writeFile(join(lower, 'etc/passwd'), 'root');
    await mkdir(join(upper, 'etc'));
    await writeFile(join(upper, 'etc/passwd'), 'root and more');
    const t = new Date('2020-01-02T03:04:05Z');
    await utimes(join(lower, 'etc'), t, t);
    await utimes(join(upper, 'etc'), t, t);
    assert.deepEqual(await listed(upper, lower), ['C /etc/passwd']);
  });
});

test('layerChanges() never looks through a symlink in a lower layer', async () => {
  await withDirs(async ({ upper, lower, outside }) => {
    // the image has x -> <outside>, where a file of that name exists; the container made x a directory
    await writeFile(join(outside, 'passwd'), 'host');
    await symlink(outside, join(lower, 'x'));
    await mkdir(join(upper, 'x'));
    await writeFile(join(upper, 'x/passwd'), 'mine');
    assert.deepEqual(await listed(upper, lower), ['C /x', 'A /x/passwd']);
  });
});

const HOST_BYTES = 1 << 30;

/** An upper dir with a hard-linked file and a symlink to a host dir that holds a sparse 1 GiB file. */
async function withUpper(fn: (upper: string, host: string) => Promise<void>): Promise<void> {
  const d = await mkdtemp(join(tmpdir(), 'berth-usage-'));
  const upper = join(d, 'upper');
  const host = join(d, 'host');
  try {
    await mkdir(join(upper, 'd'), { recursive: true });
    await mkdir(host);
    await writeFile(join(host, 'big'), '');
    await truncate(join(host, 'big'), HOST_BYTES);
    await writeFile(join(upper, 'd/f'), '0123456789');
    await link(join(upper, 'd/f'), join(upper, 'd/f2'));
    await symlink(host, join(upper, 'dl'));
    await fn(upper, host);
  } finally {
    await rm(d, { recursive: true, force: true });
  }
}

test('layerUsage() counts each inode once, a symlink as itself, and never follows it', async () => {
  await withUpper(async (upper, host) => {
    assert.deepEqual(await layerUsage({ upper }), { size: 10 + host.length, inodes: 4 });
  });
});

// A worker swaps upper/d for the symlink to the host directory as fast as it can.
test('layerUsage() never walks the host while a directory of the upper dir is swapped for a symlink', async () => {
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
      for (let i = 0; i < 2000; i++) max = Math.max(max, (await layerUsage({ upper }).catch(() => ({ size: 0 }))).size);
    } finally {
      Atomics.store(stop, 0, 1);
      await exited;
    }
    assert.ok(max < HOST_BYTES, `a size of ${max} counted the host's file`);
  });
});
