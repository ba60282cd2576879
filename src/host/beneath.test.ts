import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScopedDir } from './beneath.js';

async function withRoot(fn: (root: string, out: string, dir: ScopedDir) => Promise<void>): Promise<void> {
  const d = await mkdtemp(join(tmpdir(), 'berth-beneath-'));
  const root = join(d, 'root');
  const out = join(d, 'out');
  await mkdir(join(root, 'sub'), { recursive: true });
  await mkdir(out);
  await writeFile(join(out, 'victim'), 'v');
  await symlink(out, join(root, 'abs'));
  await symlink('..', join(root, 'up'));
  await symlink('sub', join(root, 'rel'));
  const dir = ScopedDir.open(root, { writer: true });
  try {
    await fn(root, out, dir);
  } finally {
    dir.close();
    await rm(d, { recursive: true, force: true });
  }
}

test('ScopedDir calls never resolve through a symlink, an absolute path or ".."', async () => {
  await withRoot(async (_root, out, dir) => {
    const code = (fn: () => unknown): string => {
      try { fn(); return 'ok'; } catch (e) { return (e as { code?: string }).code ?? String(e); }
    };
    for (const parent of ['abs', 'up', 'rel', '..', '../out', `${out}`]) {
      const rel = `${parent}/victim`;
      assert.notEqual(code(() => dir.lstat(rel)), 'ok', `lstat ${rel}`);
      assert.notEqual(code(() => dir.create(rel)), 'ok', `create ${rel}`);
      assert.notEqual(code(() => dir.mkdir(rel, { mode: 0o755, uid: 0, gid: 0 })), 'ok', `mkdir ${rel}`);
      assert.notEqual(code(() => dir.mknod(rel, { type: 'fifo', mode: 0o600, major: 0, minor: 0, uid: 0, gid: 0, mtime: 0 })), 'ok', `mknod ${rel}`);
      assert.notEqual(code(() => dir.symlink(rel, '/', { uid: 0, gid: 0, mtime: 0 })), 'ok', `symlink ${rel}`);
      assert.notEqual(code(() => dir.link('sub', rel)), 'ok', `link ${rel}`);
      assert.notEqual(code(() => dir.setxattr(rel, 'user.x', Buffer.from('y'))), 'ok', `setxattr ${rel}`);
      assert.notEqual(code(() => dir.remove(rel)), 'ok', `remove ${rel}`);
      assert.notEqual(code(() => dir.readdir(parent)), 'ok', `readdir ${parent}`);
      assert.notEqual(code(() => dir.openRead(rel)), 'ok', `openRead ${rel}`);
    }
    assert.equal(code(() => dir.remove('..')), 'EINVAL');
    assert.equal(code(() => dir.remove('sub/.')), 'EINVAL');
    assert.equal(code(() => dir.lstat('rel/x')), 'ELOOP');
    assert.deepEqual(await readdir(out), ['victim']);
    assert.equal(await readFile(join(out, 'victim'), 'utf8'), 'v');
  });
});

test('ScopedDir acts on a symlink itself: lstat, readlink, utimes, xattrs, remove', async () => {
  await withRoot(async (root, out, dir) => {
    const st = dir.lstat('abs');
    assert.equal((st!.mode & 0o170000), 0o120000);
    assert.equal(dir.readlink('abs'), out);
    assert.equal(dir.utimes('abs', 5), true);
    assert.equal(dir.utimes('abs', 6, { onlyDir: true }), false);
    assert.equal(dir.xattrs('abs').size, 0);
    assert.equal(dir.remove('abs'), true);
    assert.equal(dir.lstat('abs'), undefined);
    assert.deepEqual(await readdir(out), ['victim']);
    assert.deepEqual((await readdir(root)).sort(), ['rel', 'sub', 'up']);
  });
});

test('ScopedDir.remove() takes a tree down without following the symlinks in it', async () => {
  await withRoot(async (root, out, dir) => {
    await mkdir(join(root, 'sub', 'deep', 'er'), { recursive: true });
    await symlink(out, join(root, 'sub', 'deep', 'er', 'o'));
    await symlink(join(out, 'victim'), join(root, 'sub', 'deep', 'v'));
    assert.equal(dir.remove('sub'), true);
    assert.equal(dir.remove('sub'), false);
    assert.deepEqual(await readdir(out), ['victim']);
  });
});

test('without openat2 (kernels before 5.6) the O_NOFOLLOW walk refuses the same escapes', { skip: process.env.BERTH_TEST_NO_OPENAT2 ? 'this is that run' : false }, async () => {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const files = [fileURLToPath(import.meta.url), fileURLToPath(new URL('../image/archive/hostile-archives.test.js', import.meta.url))];
  const r = spawnSync(process.execPath, ['--test', ...files], { env: { ...process.env, BERTH_TEST_NO_OPENAT2: '1' }, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stdout.split('\n').filter((l) => /^not ok|error:/.test(l.trim())).join('\n') || r.stderr);
});
