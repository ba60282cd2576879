import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageService } from '../images/index.js';
import { buildBusyboxImage } from './busybox.js';
import { buildDebianImage } from './debian.js';

const noBusybox = existsSync('/usr/bin/busybox') ? false : 'needs /usr/bin/busybox (busybox-static)';

test('buildBusyboxImage() is deterministic: two stores get the same image ID', { skip: noBusybox }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-mkimage-'));
  try {
    const a = await buildBusyboxImage(await ImageService.open({ root: join(root, 'a') }), { tag: 'busybox:latest' });
    const b = await buildBusyboxImage(await ImageService.open({ root: join(root, 'b') }), { tag: 'busybox:latest' });
    assert.equal(a.id, b.id);
    assert.deepEqual(a.layers, b.layers);
    assert.deepEqual(a.config.config?.Cmd, ['sh']);
    assert.deepEqual(a.repoTags, ['busybox:latest']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

// debootstrap downloads ~40 MB and takes minutes: opt in with BERTH_TEST_DEBOOTSTRAP=1
const noDebootstrap = process.env.BERTH_TEST_DEBOOTSTRAP !== '1' ? 'set BERTH_TEST_DEBOOTSTRAP=1 to run (network, minutes)' : !existsSync('/usr/sbin/debootstrap') ? 'needs debootstrap' : false;

test('buildDebianImage() bootstraps a minbase Debian image with bash', { skip: noDebootstrap, timeout: 20 * 60_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-debian-'));
  try {
    const images = await ImageService.open({ root });
    const img = await buildDebianImage(images, { tag: 'debian:bookworm', workDir: root });
    assert.deepEqual(img.config.config?.Cmd, ['bash']);
    const [lower] = images.rootfsFor(img.id).lowerDirs;
    assert.ok((await lstat(join(lower!, 'bin/bash'))).isFile() || (await lstat(join(lower!, 'usr/bin/bash'))).isFile());
    assert.ok(img.size > 50_000_000);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
