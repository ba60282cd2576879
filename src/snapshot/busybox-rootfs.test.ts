import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../host/index.js';
import { ImageService } from '../image/index.js';
import { busyboxArchive } from '../mkimage/index.js';
import { OverlaySnapshotter } from './overlay.js';

const noBusybox = existsSync('/usr/bin/busybox') ? false : 'needs /usr/bin/busybox (busybox-static)';
const notRoot = process.getuid?.() !== 0 ? 'needs root for overlay mounts' : false;

test('a container rootfs mounted from the busybox image has a working /bin/sh', { skip: noBusybox || notRoot }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-mkimage-'));
  const target = join(root, 'rootfs');
  try {
    const images = await ImageService.open({ root });
    const archive = await busyboxArchive({ tag: 'busybox' });
    for await (const _ of images.load(archive.stream)) { /* drain progress */ }
    await archive.done();
    const img = images.get('busybox');
    const snap = new OverlaySnapshotter({ root, layers: images });
    const layer = await snap.prepareContainer({ id: 'bb', imageId: img.id });
    await mkdir(target);
    await snap.mountRootfs({ ...layer, target });
    try {
      const sh = await lstat(join(target, 'bin/sh'));
      assert.ok(sh.isFile());
      assert.equal(sh.ino, (await lstat(join(target, 'bin/busybox'))).ino);
      assert.equal((await lstat(join(target, 'tmp'))).mode & 0o7777, 0o1777);
      assert.match(await readFile(join(target, 'etc/passwd'), 'utf8'), /^root:x:0:0:root:\/root:\/bin\/sh$/m);
      const r = await exec(join(target, 'bin/sh'), ['-c', 'echo from-image']);
      assert.equal(r.stdout, 'from-image\n');
    } finally {
      await snap.unmount(target);
    }
    await snap.removeContainer('bb');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

