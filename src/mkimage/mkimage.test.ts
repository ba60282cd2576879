import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageService } from '../image/index.js';
import { busyboxArchive } from './busybox.js';
import { debianArchive } from './debian.js';

const noBusybox = existsSync('/usr/bin/busybox') ? false : 'needs /usr/bin/busybox (busybox-static)';

async function loadInto(images: ImageService, archive: { stream: NodeJS.ReadableStream; done: () => Promise<void> }): Promise<string[]> {
  const messages: string[] = [];
  try {
    for await (const ev of images.load(archive.stream as never)) if (ev.type === 'message') messages.push(ev.text);
  } finally {
    await archive.done();
  }
  return messages;
}

test('busyboxArchive() is deterministic: two stores load the same image ID', { skip: noBusybox }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-mkimage-'));
  try {
    const a = await ImageService.open({ root: join(root, 'a') });
    const b = await ImageService.open({ root: join(root, 'b') });
    assert.deepEqual(await loadInto(a, await busyboxArchive()), ['Loaded image: busybox:latest\n']);
    await loadInto(b, await busyboxArchive({ tag: 'busybox:latest' }));
    const ia = a.get('busybox:latest');
    const ib = b.get('busybox:latest');
    assert.equal(ia.id, ib.id);
    assert.deepEqual(ia.config.config?.Cmd, ['sh']);
    const [lower] = a.rootfsFor(ia.id).lowerDirs;
    assert.ok((await lstat(join(lower!, 'bin/sh'))).isFile());
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

// debootstrap downloads ~40 MB and takes minutes: opt in with BERTH_TEST_DEBOOTSTRAP=1
const noDebootstrap = process.env.BERTH_TEST_DEBOOTSTRAP !== '1' ? 'set BERTH_TEST_DEBOOTSTRAP=1 to run (network, minutes)' : !existsSync('/usr/sbin/debootstrap') ? 'needs debootstrap' : false;

test('debianArchive() bootstraps a minbase Debian image with bash', { skip: noDebootstrap, timeout: 20 * 60_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-debian-'));
  try {
    const images = await ImageService.open({ root });
    await loadInto(images, await debianArchive({ tag: 'debian:bookworm', workDir: root }));
    const img = images.get('debian:bookworm');
    assert.deepEqual(img.config.config?.Cmd, ['bash']);
    const [lower] = images.rootfsFor(img.id).lowerDirs;
    assert.ok((await lstat(join(lower!, 'usr/bin/bash'))).isFile());
    assert.ok(img.size > 50_000_000);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
