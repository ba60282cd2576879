import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { mkdirInRoot, readFileInRoot } from './in-root.js';

const walkOnly = Boolean(process.env.BERTH_TEST_NO_OPENAT2);
const MAX = 1 << 20;

/** A rootfs full of hostile symlinks beside a host directory with a sentinel file. */
async function withRootfs(fn: (p: { rootfs: string; host: string }) => Promise<void>): Promise<void> {
  const d = await mkdtemp(join(tmpdir(), 'berth-in-root-'));
  const rootfs = join(d, 'rootfs');
  const host = join(d, 'host');
  await mkdir(join(rootfs, 'etc'), { recursive: true });
  await mkdir(host);
  await writeFile(join(host, 'shadow'), 'HOST SENTINEL\n');
  // what an absolute link to the host path names inside the rootfs
  await mkdir(join(rootfs, host), { recursive: true });
  await writeFile(join(rootfs, host, 'shadow'), 'inside\n');
  await writeFile(join(rootfs, 'etc/real'), 'real\n');
  await symlink(join(host, 'shadow'), join(rootfs, 'etc/abs'));
  await symlink(`../../../../../../../../..${host}/shadow`, join(rootfs, 'etc/rel'));
  await symlink('../../../../../../../..', join(rootfs, 'up'));
  await symlink('/proc/self/root', join(rootfs, 'magic'));
  await symlink(`/proc/self/root${host}/shadow`, join(rootfs, 'etc/magic'));
  await symlink('loop-b', join(rootfs, 'etc/loop-a'));
  await symlink('loop-a', join(rootfs, 'etc/loop-b'));
  await symlink('real', join(rootfs, 'etc/ok'));
  await symlink('../etc/./ok', join(rootfs, 'etc/chain'));
  try {
    await fn({ rootfs, host });
  } finally {
    await rm(d, { recursive: true, force: true });
  }
}

const text = async (rootfs: string, path: string): Promise<string | undefined> => (await readFileInRoot(rootfs, path, { maxBytes: MAX }))?.toString();

test('readFileInRoot() follows absolute, ../ and magic-link symlinks only inside the root', async () => {
  await withRootfs(async ({ rootfs, host }) => {
    assert.equal(await text(rootfs, '/etc/real'), 'real\n');
    assert.equal(await text(rootfs, '/etc/ok'), 'real\n');
    assert.equal(await text(rootfs, 'etc/chain'), 'real\n');
    assert.equal(await text(rootfs, '/../../etc/./real'), 'real\n');
    assert.equal(await text(rootfs, '/etc/abs'), 'inside\n');
    assert.equal(await text(rootfs, '/etc/rel'), 'inside\n');
    assert.equal(await text(rootfs, `/up/up/up${host}/shadow`), 'inside\n');
    assert.equal(await text(rootfs, `/up/../..${host}/../host/shadow`), 'inside\n');
    // the rootfs has no /proc/self/root: the link text resolves inside it, to nothing
    assert.equal(await text(rootfs, '/etc/magic'), undefined);
    assert.equal(await text(rootfs, `/magic${host}/shadow`), undefined);
    assert.equal(await text(rootfs, '/etc/loop-a'), undefined);
    assert.equal(await text(rootfs, '/etc/missing'), undefined);
    assert.equal(await text(rootfs, '/etc/real/x'), undefined);
    assert.equal(await text(rootfs, '/etc'), undefined);
    assert.equal(await readFile(join(host, 'shadow'), 'utf8'), 'HOST SENTINEL\n');
  });
});

test('readFileInRoot() follows up to 255 links, as FollowSymlinkInScope, and no more', async () => {
  await withRootfs(async ({ rootfs }) => {
    for (let i = 0; i < 255; i++) await symlink(i === 0 ? 'real' : `l${i - 1}`, join(rootfs, 'etc', `l${i}`));
    assert.equal(await text(rootfs, '/etc/l254'), 'real\n');
    await symlink('l254', join(rootfs, 'etc/l255'));
    assert.equal(await text(rootfs, '/etc/l255'), undefined);
  });
});

test('readFileInRoot() never opens a fifo or a device', async () => {
  await withRootfs(async ({ rootfs }) => {
    const { spawnSync } = await import('node:child_process');
    assert.equal(spawnSync('mkfifo', [join(rootfs, 'etc/fifo')]).status, 0);
    await symlink('/dev/null', join(rootfs, 'etc/null')); // names the rootfs's /dev/null, absent
    assert.equal(await text(rootfs, '/etc/fifo'), undefined); // opening it would block
    assert.equal(await text(rootfs, '/etc/null'), undefined);
  });
});

test('mkdirInRoot() makes what is missing inside the root, dangling symlinks where they point', async () => {
  await withRootfs(async ({ rootfs, host }) => {
    await symlink('/made/by/link', join(rootfs, 'dangling'));
    await symlink('../../../../outside', join(rootfs, 'dangling-rel'));
    mkdirInRoot(rootfs, '/dangling/x', { mode: 0o755, uid: 123, gid: 456 });
    mkdirInRoot(rootfs, 'dangling-rel', { mode: 0o750, uid: 0, gid: 0 });
    mkdirInRoot(rootfs, `/up/up${host}/new`, { mode: 0o755, uid: 0, gid: 0 });
    mkdirInRoot(rootfs, '/etc', { mode: 0o700, uid: 7, gid: 7 }); // kept as it is
    const made = await stat(join(rootfs, 'made/by/link/x'));
    assert.equal(made.isDirectory(), true);
    assert.deepEqual([made.uid, made.gid, made.mode & 0o7777], [123, 456, 0o755]);
    assert.equal(((await stat(join(rootfs, 'outside'))).mode & 0o7777), 0o750);
    assert.equal((await stat(join(rootfs, host, 'new'))).isDirectory(), true);
    assert.notEqual((await stat(join(rootfs, 'etc'))).uid, 7);
    assert.throws(() => mkdirInRoot(rootfs, '/etc/real/sub', { mode: 0o755, uid: 0, gid: 0 }), { code: 'ENOTDIR' });
    assert.throws(() => mkdirInRoot(rootfs, '/etc/ok', { mode: 0o755, uid: 0, gid: 0 }), { code: 'ENOTDIR' });
    assert.throws(() => mkdirInRoot(rootfs, '/etc/loop-a/x', { mode: 0o755, uid: 0, gid: 0 }), { code: 'ELOOP' });
    assert.throws(() => lstatSync(join(host, 'new')));
  });
});

// A worker swaps rootfs/x between a directory and a symlink to the host directory (absolute,
// then ../ relative) as fast as it can, while the main thread reads x/shadow.
test('readFileInRoot() and mkdirInRoot() never reach outside while a directory is swapped for a symlink', async () => {
  await withRootfs(async ({ rootfs, host }) => {
    await mkdir(join(rootfs, 'xdir'));
    await writeFile(join(rootfs, 'xdir/shadow'), 'inside x\n');
    await symlink(host, join(rootfs, 'xabs'));
    await symlink(`../../../../../../..${host}`, join(rootfs, 'xrel'));
    await rename(join(rootfs, 'xdir'), join(rootfs, 'x'));
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(`
      const { lstatSync, renameSync, rmSync } = require('node:fs');
      const { workerData: { dir, stop } } = require('node:worker_threads');
      const p = (n) => dir + '/' + n;
      const isDir = (n) => { try { return lstatSync(p(n)).isDirectory(); } catch { return false; } };
      for (let i = 0; Atomics.load(stop, 0) === 0; i++) {
        const link = i % 2 ? 'xabs' : 'xrel';
        try {
          renameSync(p('x'), p('xdir'));
          renameSync(p(link), p('x'));
          renameSync(p('x'), p(link));
        } catch {}
        // mkdirInRoot() makes an x of its own when it finds none: that one goes, the real one comes back
        if (isDir('xdir')) {
          try { if (isDir('x')) rmSync(p('x'), { recursive: true }); renameSync(p('xdir'), p('x')); } catch {}
        }
      }
    `, { eval: true, workerData: { dir: rootfs, stop } });
    const exited = new Promise((resolve) => worker.on('exit', resolve));
    const seen = new Set<string>();
    try {
      for (let i = 0; i < 2000; i++) {
        seen.add(String(await text(rootfs, '/x/shadow')));
        try {
          mkdirInRoot(rootfs, '/x/made', { mode: 0o755, uid: 0, gid: 0 });
        } catch (e) {
          if ((e as { code?: string }).code !== 'ENOENT') throw e;
        }
      }
    } finally {
      Atomics.store(stop, 0, 1);
      await exited;
    }
    assert.equal(seen.has('HOST SENTINEL\n'), false, `read ${[...seen].join(', ')}`);
    assert.throws(() => lstatSync(join(host, 'made')));
    assert.ok(seen.has('inside x\n'));
  });
});

test('without openat2 (kernels before 5.6) the O_NOFOLLOW walk resolves the same way', { skip: walkOnly ? 'this is that run' : false }, async () => {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const r = spawnSync(process.execPath, ['--test', fileURLToPath(import.meta.url)], { env: { ...process.env, BERTH_TEST_NO_OPENAT2: '1' }, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stdout.split('\n').filter((l) => /^not ok|error:/.test(l.trim())).join('\n') || r.stderr);
});
