import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ImageService } from '../image/index.js';
import { tarBuffer, file, dir } from '../image/archive/tar-fixtures.js';
import { snapshotterConformance } from './conformance.js';
import { OverlaySnapshotter } from './overlay.js';

const needsRoot = process.getuid?.() !== 0 ? 'needs root for overlay mounts' : false;

async function fixtureImage(root: string): Promise<{ images: ImageService; imageId: string }> {
  const images = await ImageService.open({ root });
  const base = await images.importTar(Readable.from([await tarBuffer([dir('cache/'), file('cache/old', 'old\n'), dir('etc/'), file('etc/shared', 'shared\n'), file('hello.txt', 'old\n'), dir('lib/'), file('lib/a', 'a\n')])]));
  const top = await images.commit({ parent: base.id, diff: Readable.from([await tarBuffer([file('hello.txt', 'hello\n')])]), config: {} });
  return { images, imageId: top.id };
}

snapshotterConformance('overlay', async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-overlay-'));
  const { images, imageId } = await fixtureImage(root);
  return {
    snapshotter: new OverlaySnapshotter({ root, layers: images }),
    imageId,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}, { skip: needsRoot });

test('OverlaySnapshotter mounts more layers than absolute lowerdir= paths fit in one page', { skip: needsRoot }, async () => {
  // a long data root makes each absolute lower path ~190 bytes: 40 layers need ~7.6 KiB
  const root = join(await mkdtemp(join(tmpdir(), 'berth-overlay-many-')), 'a'.repeat(100));
  await mkdir(root, { recursive: true });
  try {
    const images = await ImageService.open({ root });
    let img = await images.importTar(Readable.from([await tarBuffer([file('layer', '0'), file('bottom-only', 'b')])]));
    for (let i = 1; i < 40; i++) {
      img = await images.commit({ parent: img.id, diff: Readable.from([await tarBuffer([file('layer', String(i))])]), config: {} });
    }
    const lowerDirs = images.rootfsFor(img.id).lowerDirs;
    assert.ok(lowerDirs.join(':').length > 4096);
    const snap = new OverlaySnapshotter({ root, layers: images });
    const layer = await snap.prepareContainer({ id: 'many', imageId: img.id });
    const target = join(root, 'mnt');
    await mkdir(target);
    await snap.mountRootfs({ ...layer, target });
    try {
      assert.equal(await readFile(join(target, 'layer'), 'utf8'), '39');
      assert.equal(await readFile(join(target, 'bottom-only'), 'utf8'), 'b');
    } finally {
      await snap.unmount(target);
    }
    await snap.removeContainer('many');
  } finally {
    await rm(join(root, '..'), { recursive: true, force: true });
  }
});

test('OverlaySnapshotter refuses container ids that are paths', async () => {
  const snap = new OverlaySnapshotter({ root: '/nonexistent', layers: { retainRootfs: async () => ({ chainIds: [], lowerDirs: [] }), releaseRootfs: async () => [] } });
  await assert.rejects(snap.prepareContainer({ id: '../x', imageId: 'x' }), /Cannot use container id/);
});

test('a container keeps its image layers through a forced rmi and a restart, until it is removed', { skip: needsRoot }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-overlay-hold-'));
  try {
    const { images, imageId } = await fixtureImage(root);
    const snap = new OverlaySnapshotter({ root, layers: images });
    const layer = await snap.prepareContainer({ id: 'held', imageId });
    const out = await images.remove(imageId, { force: true, inUse: () => 'held' });
    assert.deepEqual(out.filter((r) => r.Deleted).map((r) => r.Deleted), [imageId]);
    // after a restart the layers are still there for the container
    const reopened = await ImageService.open({ root });
    const snap2 = new OverlaySnapshotter({ root, layers: reopened });
    const target = join(root, 'mnt');
    await snap2.mountRootfs({ ...layer, target });
    try {
      assert.equal(await readFile(join(target, 'hello.txt'), 'utf8'), 'hello\n');
    } finally {
      await snap2.unmount(target);
    }
    await snap2.removeContainer('held');
    // the top layer went with the container; the base layer still belongs to the base image
    await assert.rejects(readFile(join(layer.lowerDirs[0]!, 'hello.txt')));
    assert.equal(await readFile(join(layer.lowerDirs[1]!, 'hello.txt'), 'utf8'), 'old\n');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

// A worker swaps a directory of the upper dir for a symlink to a host directory as fast as it
// can while the container's layer is removed (as a process that outlived a lazy unmount could).
// Node's rm() lost host files to this within a few hundred rounds.
test('removeContainer() never deletes through a symlink swapped into the upper dir', async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-overlay-rm-'));
  const host = join(root, 'host');
  // [0]: stop, [1]: the round whose upper dir the worker swaps in (-1: none)
  const shared = new Int32Array(new SharedArrayBuffer(8));
  shared[1] = -1;
  const worker = new Worker(`
    const { renameSync } = require('node:fs');
    const { workerData: { root, shared } } = require('node:worker_threads');
    while (Atomics.load(shared, 0) === 0) {
      const round = Atomics.load(shared, 1);
      if (round < 0) continue;
      const p = (n) => root + '/containers/c' + round + '/upper/' + n;
      try {
        renameSync(p('d'), p('dd'));
        renameSync(p('dl'), p('d'));
        renameSync(p('d'), p('dl'));
        renameSync(p('dd'), p('d'));
      } catch {} // the removal took some
    }
  `, { eval: true, workerData: { root, shared } });
  const exited = new Promise((resolve) => worker.on('exit', resolve));
  try {
    await mkdir(host);
    const names = Array.from({ length: 50 }, (_, i) => `f${i}`);
    for (const n of names) await writeFile(join(host, n), 'host\n');
    const snap = new OverlaySnapshotter({ root, layers: { retainRootfs: async () => ({ chainIds: [], lowerDirs: [] }), releaseRootfs: async () => [] } });
    for (let round = 0; round < 400; round++) {
      const layer = await snap.prepareContainer({ id: `c${round}`, imageId: 'x' });
      await mkdir(join(layer.upper, 'd'));
      for (const n of names) await writeFile(join(layer.upper, 'd', n), 'upper\n');
      await symlink(host, join(layer.upper, 'dl'));
      Atomics.store(shared, 1, round);
      await snap.removeContainer(`c${round}`).catch(() => {}); // a removal may fail; it must not reach out
      Atomics.store(shared, 1, -1);
      assert.deepEqual((await readdir(host)).sort(), [...names].sort(), `round ${round}`);
    }
  } finally {
    Atomics.store(shared, 0, 1);
    await exited;
    await rm(root, { recursive: true, force: true });
  }
});
