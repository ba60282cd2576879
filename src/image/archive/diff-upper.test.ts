import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, mkdir, writeFile, readFile, lstat, link, symlink, chown, utimes, unlink, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountOverlay, unmount, ScopedDir } from '../../host/index.js';
import { diffUpper } from './diff-upper.js';
import { tarTree } from './tar-tree.js';
import { applyLayer } from './apply-layer.js';
import { readTar } from './tar-reader.js';

async function withTemp(fn: (d: string) => Promise<void>): Promise<void> {
  const d = await mkdtemp(join(tmpdir(), 'berth-diff-'));
  try { await fn(d); } finally { await rm(d, { recursive: true, force: true }); }
}

async function entryNames(s: AsyncIterable<Buffer>): Promise<string[]> {
  const names: string[] = [];
  for await (const e of readTar(s)) names.push(e.header.name);
  return names;
}

function xattrsAt(root: string, rel: string): Map<string, Buffer> {
  const d = ScopedDir.open(root);
  try { return d.xattrs(rel); } finally { d.close(); }
}

test('diffUpper() turns overlay whiteouts and opaque directories back into OCI markers', async () => {
  await withTemp(async (d) => {
    const [lower, upper, work, merged] = ['lower', 'upper', 'work', 'merged'].map((n) => join(d, n)) as [string, string, string, string];
    for (const p of [upper, work, merged, join(lower, 'a'), join(lower, 'cache')]) await mkdir(p, { recursive: true });
    await writeFile(join(lower, 'a/x'), 'x');
    await writeFile(join(lower, 'a/y'), 'y');
    await writeFile(join(lower, 'cache/old'), 'old');
    await mountOverlay({ lowerDirs: [lower], upperDir: upper, workDir: work, target: merged, options: ['index=off'] });
    try {
      await unlink(join(merged, 'a/x'));
      await rm(join(merged, 'cache'), { recursive: true });
      await mkdir(join(merged, 'cache'));
      await writeFile(join(merged, 'cache/new'), 'new');
      await writeFile(join(merged, 'added'), 'added');
    } finally {
      await unmount(merged);
    }
    const names = await entryNames(diffUpper({ upper }));
    assert.deepEqual(names, ['a/', 'a/.wh.x', 'added', 'cache/', 'cache/.wh..wh..opq', 'cache/new']);
    // and applying that diff gives back an equivalent upper dir
    const again = join(d, 'again');
    await applyLayer(diffUpper({ upper }), { target: again });
    assert.ok((await lstat(join(again, 'a/x'))).isCharacterDevice());
    assert.equal(xattrsAt(again, 'cache').get('trusted.overlay.opaque')?.toString(), 'y');
    assert.equal(await readFile(join(again, 'cache/new'), 'utf8'), 'new');
  });
});

test('tarTree() archives a tree that applyLayer() restores with metadata and hardlinks', async () => {
  await withTemp(async (d) => {
    const src = join(d, 'src');
    await mkdir(join(src, 'bin'), { recursive: true });
    await writeFile(join(src, 'bin/busybox'), 'bb');
    await link(join(src, 'bin/busybox'), join(src, 'bin/sh'));
    await symlink('busybox', join(src, 'bin/ls'));
    await writeFile(join(src, 'owned'), 'o', { mode: 0o600 });
    await chown(join(src, 'owned'), 123, 456);
    await utimes(join(src, 'owned'), 1_000_000, 1_000_000);
    { const d = ScopedDir.open(src); try { d.setxattr('owned', 'user.k', Buffer.from([0, 1, 2])); } finally { d.close(); } }
    await mkdir(join(src, 'proc/1'), { recursive: true });
    const out = join(d, 'out');
    await applyLayer(tarTree({ root: src, exclude: (rel) => rel.startsWith('proc/') }), { target: out });
    assert.deepEqual((await readdir(out)).sort(), ['bin', 'owned', 'proc']);
    assert.deepEqual(await readdir(join(out, 'proc')), []);
    assert.equal((await lstat(join(out, 'bin/sh'))).ino, (await lstat(join(out, 'bin/busybox'))).ino);
    const o = await lstat(join(out, 'owned'));
    assert.deepEqual([o.uid, o.gid, o.mode & 0o777, o.mtimeMs], [123, 456, 0o600, 1_000_000_000]);
    assert.deepEqual(xattrsAt(out, 'owned').get('user.k'), Buffer.from([0, 1, 2]));
  });
});
