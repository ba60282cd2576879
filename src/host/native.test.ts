import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostAddon } from './native.js';
import { bindFileReadOnly, isMountPoint, mountOverlay, unmount } from './fs-special.js';

// CI builds the addon (scripts/build-native.sh); its absence there is a build failure, not a skip.
test('the native addon is built', () => {
  assert.ok(hostAddon, 'dist/native/berth-host.node is missing: run sh scripts/build-native.sh');
});

test('mountOverlay() and unmount() mount and detach an overlay, and unmount() reports nothing mounted', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-native-'));
  try {
    for (const d of ['lower', 'upper', 'work', 'merged']) await mkdir(join(dir, d));
    await writeFile(join(dir, 'lower', 'f'), 'from lower');
    const target = join(dir, 'merged');
    await mountOverlay({ lowerDirs: [join(dir, 'lower')], upperDir: join(dir, 'upper'), workDir: join(dir, 'work'), target, options: ['index=off'] });
    assert.equal(await isMountPoint(target), true);
    assert.equal(await readFile(join(target, 'f'), 'utf8'), 'from lower');
    await writeFile(join(target, 'g'), 'copied up');
    assert.equal(await readFile(join(dir, 'upper', 'g'), 'utf8'), 'copied up');
    assert.equal(await unmount(target), true);
    assert.equal(await isMountPoint(target), false);
    assert.equal(await unmount(target), false, 'not mounted any more');
    assert.equal(await unmount(join(dir, 'never-made'), { lazy: true }), false, 'no such path');
  } finally {
    await unmount(join(dir, 'merged'), { lazy: true }).catch(() => false);
    await rm(dir, { recursive: true, force: true });
  }
});

test('a failed mount rejects with the errno name, the call and the path, and mounts nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-native-'));
  try {
    await mkdir(join(dir, 'merged'));
    const target = join(dir, 'merged');
    await assert.rejects(mountOverlay({ lowerDirs: [join(dir, 'missing')], target }), (e: NodeJS.ErrnoException) => {
      assert.equal(e.code, 'ENOENT');
      assert.equal(e.syscall, 'mount');
      assert.equal(e.path, target);
      return true;
    });
    assert.equal(await isMountPoint(target), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the addon checks its arguments before any system call', () => {
  assert.ok(hostAddon);
  const addon = hostAddon as unknown as Record<string, (...a: unknown[]) => unknown>;
  assert.throws(() => addon.mount!('x'), TypeError);
  assert.throws(() => addon.mount!('x', 'a\0b', 'tmpfs', 0, null), TypeError);
  assert.throws(() => addon.umount!('/tmp', -1), TypeError);
});

test('bindFileReadOnly() binds a file read-only, replaces an older bind, and unmount() drops it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-native-'));
  const target = join(dir, 'bound');
  try {
    await writeFile(join(dir, 'v1'), 'one');
    await writeFile(join(dir, 'v2'), 'two');
    assert.equal(await bindFileReadOnly(join(dir, 'v1'), target), true);
    assert.equal(await readFile(target, 'utf8'), 'one');
    await assert.rejects(writeFile(target, 'x'), { code: 'EROFS' });
    assert.equal(await bindFileReadOnly(join(dir, 'v2'), target), true);
    assert.equal(await readFile(target, 'utf8'), 'two');
    const mounts = (await readFile('/proc/self/mounts', 'utf8')).split('\n').filter((l) => l.split(' ')[1] === target);
    assert.equal(mounts.length, 1, 'the older bind is gone');
    assert.equal(await unmount(target), true);
    assert.equal(await readFile(target, 'utf8'), '', 'the mount point file is left empty');
  } finally {
    await unmount(target, { lazy: true }).catch(() => false);
    await rm(dir, { recursive: true, force: true });
  }
});
