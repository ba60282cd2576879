import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile, lstat, unlink, stat, link, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTar } from '../image/archive/index.js';
import type { Snapshotter } from './snapshotter.js';

export interface ConformanceFixture {
  snapshotter: Snapshotter;
  /**
   * An image whose root holds `hello.txt` ("hello\n"), `etc/shared` ("shared\n"),
   * `cache/old` and `lib/a`.
   */
  imageId: string;
  cleanup(): Promise<void>;
}

/** How many mounts sit exactly at `path` (plain paths only: no octal escapes). */
async function mountsAt(path: string): Promise<number> {
  return (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((l) => l.split(' ')[4] === path).length;
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

  run('mountContainer() mounts once at the container\'s own path; unmountContainer() and removeContainer() unmount it', async ({ snapshotter, imageId }) => {
    await snapshotter.prepareContainer({ id: 'conf-m', imageId });
    const target = await snapshotter.mountContainer({ id: 'conf-m', imageId });
    try {
      assert.equal(await readFile(join(target, 'hello.txt'), 'utf8'), 'hello\n');
      assert.equal(await snapshotter.mountContainer({ id: 'conf-m', imageId }), target);
      assert.equal(await mountsAt(target), 1);
    } finally {
      await snapshotter.unmountContainer('conf-m');
    }
    assert.equal(await mountsAt(target), 0);
    await snapshotter.unmountContainer('conf-m');
    // mounted without an explicit prepare (after a restart), then removed while mounted
    const again = await snapshotter.mountContainer({ id: 'conf-m2', imageId });
    await writeFile(join(again, 'x'), 'x');
    await snapshotter.removeContainer('conf-m2');
    assert.equal(await mountsAt(again), 0);
    await snapshotter.removeContainer('conf-m');
  });

  run('usage() counts the bytes of the writable layer as Docker\'s SizeRw: non-directories, each inode once', async ({ snapshotter, imageId }) => {
    assert.deepEqual(await snapshotter.usage('conf-never'), { size: 0, inodes: 0 });
    const target = await snapshotter.mountContainer({ id: 'conf-u', imageId });
    try {
      assert.equal((await snapshotter.usage('conf-u')).size, 0);
      await mkdir(join(target, 'dir'));
      await writeFile(join(target, 'dir/five'), '12345');
      await link(join(target, 'dir/five'), join(target, 'same-five'));
      await symlink('dir/five', join(target, 'sym')); // 8 bytes of target
      await writeFile(join(target, 'hello.txt'), 'hi'); // copied up, then 2 bytes
      const u = await snapshotter.usage('conf-u');
      assert.equal(u.size, 5 + 8 + 2);
      assert.equal(u.inodes, 5);
    } finally {
      await snapshotter.removeContainer('conf-u');
    }
  });

  /** What a container does to its image in the changes and diff tests. */
  const mutate = async (target: string): Promise<void> => {
    await writeFile(join(target, 'new.txt'), 'new');
    await writeFile(join(target, 'hello.txt'), 'changed\n');
    await unlink(join(target, 'etc/shared'));
    await rm(join(target, 'cache'), { recursive: true });
    await mkdir(join(target, 'cache'));
    await writeFile(join(target, 'cache/new'), 'n');
    await mkdir(join(target, 'lib/sub/deep'), { recursive: true });
    await writeFile(join(target, 'lib/sub/deep/f'), 'f');
    // what a runtime makes as mount points when the image lacks them
    await writeFile(join(target, 'etc/hostname'), '');
    await mkdir(join(target, 'proc'));
  };

  run('changes() lists additions, changes and deletions as docker diff does', async ({ snapshotter, imageId }) => {
    const target = await snapshotter.mountContainer({ id: 'conf-ch', imageId });
    try {
      assert.deepEqual(await snapshotter.changes({ id: 'conf-ch', imageId }), []);
      await mutate(target);
      assert.deepEqual((await snapshotter.changes({ id: 'conf-ch', imageId })).map((c) => `${c.kind} ${c.path}`), [
        'D /cache', // deleted and made again: an opaque directory
        'A /cache/new',
        'C /etc',
        'D /etc/shared',
        'C /hello.txt',
        'C /lib',
        'A /lib/sub',
        'A /lib/sub/deep',
        'A /lib/sub/deep/f',
        'A /new.txt',
      ]);
    } finally {
      await snapshotter.removeContainer('conf-ch');
    }
  });

  run('changes() leaves out the runtime\'s mount points and the directories they are in', async ({ snapshotter, imageId }) => {
    const target = await snapshotter.mountContainer({ id: 'conf-mp', imageId });
    try {
      await writeFile(join(target, 'etc/hostname'), '');
      await writeFile(join(target, 'etc/hosts'), '');
      await mkdir(join(target, 'proc'));
      await mkdir(join(target, 'dev/pts'), { recursive: true });
      assert.deepEqual(await snapshotter.changes({ id: 'conf-mp', imageId }), []);
      // a file the container writes next to them is its own change
      await writeFile(join(target, 'etc/motd'), 'hi');
      assert.deepEqual((await snapshotter.changes({ id: 'conf-mp', imageId })).map((c) => `${c.kind} ${c.path}`), ['C /etc', 'A /etc/motd']);
    } finally {
      await snapshotter.removeContainer('conf-mp');
    }
  });

  run('diff() is a layer tar of the writable layer with OCI whiteouts', async ({ snapshotter, imageId }) => {
    const target = await snapshotter.mountContainer({ id: 'conf-df', imageId });
    try {
      await mutate(target);
      const entries: Array<{ name: string; body: string }> = [];
      for await (const e of readTar(snapshotter.diff('conf-df'))) {
        let body = '';
        for await (const chunk of e.body()) body += String(chunk);
        entries.push({ name: e.header.name, body });
      }
      assert.deepEqual(entries.map((e) => e.name), [
        'cache/', 'cache/.wh..wh..opq', 'cache/new',
        'etc/', 'etc/.wh.shared',
        'hello.txt',
        'lib/', 'lib/sub/', 'lib/sub/deep/', 'lib/sub/deep/f',
        'new.txt',
      ]);
      assert.equal(entries.find((e) => e.name === 'hello.txt')?.body, 'changed\n');
    } finally {
      await snapshotter.removeContainer('conf-df');
    }
  });

  run('reclaimMounts() unmounts the rootfs of every container but the ones kept', async ({ snapshotter, imageId }) => {
    const kept = await snapshotter.mountContainer({ id: 'conf-r1', imageId });
    const left = await snapshotter.mountContainer({ id: 'conf-r2', imageId });
    try {
      const reported: string[] = [];
      await snapshotter.reclaimMounts({ keep: new Set(['conf-r1']), onUnmount: (p) => reported.push(p) });
      assert.deepEqual(reported, [left]);
      assert.equal(await mountsAt(left), 0);
      assert.equal(await mountsAt(kept), 1);
    } finally {
      await snapshotter.removeContainer('conf-r1');
      await snapshotter.removeContainer('conf-r2');
    }
  });
}
