import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupWorkingDir } from './working-dir.js';

const asRoot = process.getuid?.() === 0;

test('setupWorkingDir() makes the directory inside the rootfs as Docker does, whatever its symlinks say', { skip: !asRoot && 'needs root (chown to 0:0)' }, async () => {
  const d = await mkdtemp(join(tmpdir(), 'berth-workdir-'));
  try {
    const rootfs = join(d, 'rootfs');
    const host = join(d, 'host');
    await mkdir(join(rootfs, 'etc'), { recursive: true });
    await mkdir(host);
    await writeFile(join(rootfs, 'etc/passwd'), '');
    await symlink(host, join(rootfs, 'abs'));
    await symlink(`../../../../../../..${host}`, join(rootfs, 'rel'));
    await symlink('/proc/self/root', join(rootfs, 'magic'));
    setupWorkingDir(rootfs, '');
    setupWorkingDir(rootfs, '/app/src/../deep/');
    setupWorkingDir(rootfs, '/abs/a');
    setupWorkingDir(rootfs, '/rel/b');
    setupWorkingDir(rootfs, `/magic${host}/c`);
    const made = await stat(join(rootfs, 'app/deep'));
    assert.deepEqual([made.isDirectory(), made.uid, made.gid, made.mode & 0o7777], [true, 0, 0, 0o755]);
    assert.equal((await stat(join(rootfs, host, 'a'))).isDirectory(), true);
    assert.equal((await stat(join(rootfs, host, 'b'))).isDirectory(), true);
    assert.equal((await stat(join(rootfs, 'proc/self/root', host, 'c'))).isDirectory(), true);
    for (const n of ['a', 'b', 'c']) assert.throws(() => lstatSync(join(host, n)));
    assert.throws(() => setupWorkingDir(rootfs, '/etc/passwd'), { message: 'Cannot mkdir: /etc/passwd is not a directory' });
    assert.throws(() => setupWorkingDir(rootfs, '/etc/passwd/x'), { message: 'Cannot mkdir: /etc/passwd/x is not a directory' });
  } finally {
    await rm(d, { recursive: true, force: true });
  }
});
