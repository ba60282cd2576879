import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile, lstat, unlink, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshotter } from './snapshotter.js';

export interface ConformanceFixture {
  snapshotter: Snapshotter;
  /** An image whose root holds `hello.txt` ("hello\n") and `etc/shared` ("shared\n"). */
  imageId: string;
  cleanup(): Promise<void>;
}

/**
 * The behaviour every Snapshotter must have. Run it from an implementation's test file:
 *   snapshotterConformance('overlay', async () => ({ snapshotter, imageId, cleanup }))
 */
export function snapshotterConformance(name: string, setup: () => Promise<ConformanceFixture>, opts: { skip?: boolean | string } = {}): void {
  const run = (title: string, fn: (f: ConformanceFixture, scratch: string) => Promise<void>): void => {
    test(`${name} snapshotter: ${title}`, { skip: opts.skip }, async () => {
      const f = await setup();
      const scratch = await mkdtemp(join(tmpdir(), 'berth-snap-'));
      try {
        await fn(f, scratch);
      } finally {
        await rm(scratch, { recursive: true, force: true }).catch(() => {});
        await f.cleanup();
      }
    });
  };

  run('prepareContainer() creates empty writable dirs and is idempotent', async ({ snapshotter, imageId }) => {
    const a = await snapshotter.prepareContainer({ id: 'conf-a', imageId });
    assert.ok(a.lowerDirs.length >= 1);
    assert.deepEqual(await readdir(a.upper), []);
    assert.ok((await stat(a.work)).isDirectory());
    await writeFile(join(a.upper, 'keep'), 'x');
    const again = await snapshotter.prepareContainer({ id: 'conf-a', imageId });
    assert.deepEqual(again, a);
    assert.deepEqual(await readdir(a.upper), ['keep']);
    await snapshotter.removeContainer('conf-a');
  });

  run('mountRootfs() shows the image, keeps writes in the container and hides deletes', async ({ snapshotter, imageId }, scratch) => {
    const layer = await snapshotter.prepareContainer({ id: 'conf-b', imageId });
    const target = join(scratch, 'rootfs');
    await mkdir(target);
    await snapshotter.mountRootfs({ ...layer, target });
    try {
      assert.equal(await readFile(join(target, 'hello.txt'), 'utf8'), 'hello\n');
      await writeFile(join(target, 'new.txt'), 'new');
      await unlink(join(target, 'etc/shared'));
      await assert.rejects(lstat(join(target, 'etc/shared')));
    } finally {
      await snapshotter.unmount(target);
    }
    assert.deepEqual(await readdir(target), []);
    assert.equal(await readFile(join(layer.upper, 'new.txt'), 'utf8'), 'new');
    // the image itself is untouched
    for (const l of layer.lowerDirs) await assert.rejects(lstat(join(l, 'new.txt')));
    await snapshotter.removeContainer('conf-b');
  });

  run('containers from one image are isolated from each other', async ({ snapshotter, imageId }, scratch) => {
    const a = await snapshotter.prepareContainer({ id: 'conf-c1', imageId });
    const b = await snapshotter.prepareContainer({ id: 'conf-c2', imageId });
    const ta = join(scratch, 'a');
    const tb = join(scratch, 'b');
    await mkdir(ta);
    await mkdir(tb);
    await snapshotter.mountRootfs({ ...a, target: ta });
    await snapshotter.mountRootfs({ ...b, target: tb });
    try {
      await writeFile(join(ta, 'hello.txt'), 'changed in a\n');
      assert.equal(await readFile(join(tb, 'hello.txt'), 'utf8'), 'hello\n');
    } finally {
      await snapshotter.unmount(ta);
      await snapshotter.unmount(tb);
    }
    await snapshotter.removeContainer('conf-c1');
    await snapshotter.removeContainer('conf-c2');
  });

  run('unmount() of something not mounted and removeContainer() twice are no-ops', async ({ snapshotter, imageId }, scratch) => {
    await snapshotter.unmount(scratch);
    await snapshotter.unmount(join(scratch, 'never-created'));
    const l = await snapshotter.prepareContainer({ id: 'conf-d', imageId });
    await snapshotter.removeContainer('conf-d');
    await snapshotter.removeContainer('conf-d');
    await assert.rejects(lstat(l.upper));
  });
}
