import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, symlinkSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTar } from './tar-reader.js';
import { tarTree } from './tar-tree.js';

async function withTemp(fn: (d: string) => Promise<void>): Promise<void> {
  const d = await mkdtemp(join(tmpdir(), 'berth-walk-'));
  try { await fn(d); } finally { await rm(d, { recursive: true, force: true }); }
}

async function entries(tar: AsyncIterable<Buffer>): Promise<Array<{ name: string; type: string; linkname: string; body: string }>> {
  const out = [];
  for await (const e of readTar(tar)) {
    const parts: Buffer[] = [];
    for await (const c of e.body()) parts.push(c);
    out.push({ name: e.header.name, type: e.header.type, linkname: e.header.linkname, body: Buffer.concat(parts).toString() });
  }
  return out;
}

test('tarTree() archives symlinks out of the tree as symlinks and reads nothing through them', async () => {
  await withTemp(async (d) => {
    const root = join(d, 'root');
    await mkdir(join(d, 'outside'), { recursive: true });
    await writeFile(join(d, 'outside', 'secret'), 'SECRET');
    await mkdir(root);
    await symlink(join(d, 'outside'), join(root, 'dirlink'));
    await symlink(join(d, 'outside', 'secret'), join(root, 'filelink'));
    const got = await entries(tarTree({ root }));
    assert.deepEqual(got.map((e) => [e.name, e.type, e.linkname]), [['dirlink', 'symlink', join(d, 'outside')], ['filelink', 'symlink', join(d, 'outside', 'secret')]]);
    assert.ok(got.every((e) => !e.body.includes('SECRET')));
  });
});

test('tarTree() never reads through an entry swapped for a symlink while it walks', async () => {
  await withTemp(async (d) => {
    const root = join(d, 'root');
    await mkdir(join(d, 'outside'), { recursive: true });
    await writeFile(join(d, 'outside', 'secret'), 'SECRET');
    await mkdir(join(root, 'dir'), { recursive: true });
    await writeFile(join(root, 'dir', 'inner'), 'inner');
    await writeFile(join(root, 'file'), 'SECRETX'); // the same size as what a swap would show
    // exclude() runs after the walk's lstat: swap the entry there, as a running container could
    const swap = (rel: string): void => {
      renameSync(join(root, rel), join(d, `moved-${rel}`));
      symlinkSync(rel === 'dir' ? join(d, 'outside') : join(d, 'outside', 'secret'), join(root, rel));
    };
    const tar = tarTree({ root, exclude: (rel) => { if (rel === 'dir' || rel === 'file') swap(rel); return false; } });
    const seen: string[] = [];
    let failure: unknown;
    try {
      for await (const e of readTar(tar)) {
        const parts: Buffer[] = [];
        for await (const c of e.body()) parts.push(c);
        seen.push(`${e.header.name}:${Buffer.concat(parts).toString()}`);
      }
    } catch (e) {
      failure = e;
    }
    assert.ok(seen.every((s) => !s.includes('SECRET') || s === 'file:SECRETX'), `read through a swapped entry: ${seen.join(', ')}`);
    assert.ok(!seen.some((s) => s.startsWith('dir/secret')), 'listed a directory outside the root');
    assert.match(String(failure), /EINVAL/, 'the swapped file is refused, not read');
  });
});

test('tarTree() lists a mount point below the root but does not cross into it', { skip: process.getuid?.() !== 0 ? 'needs root to mount' : false }, async () => {
  const { mountTmpfs } = { mountTmpfs: async (p: string) => (await import('../../host/index.js')).exec('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', p]) };
  const { unmount } = await import('../../host/index.js');
  await withTemp(async (d) => {
    const root = join(d, 'root');
    await mkdir(join(root, 'vol'), { recursive: true });
    await writeFile(join(root, 'kept'), 'k');
    await mountTmpfs(join(root, 'vol'));
    try {
      await writeFile(join(root, 'vol', 'inside'), 'volume data');
      const got = await entries(tarTree({ root }));
      assert.deepEqual(got.map((e) => e.name), ['kept', 'vol/']);
    } finally {
      await unmount(join(root, 'vol'), { lazy: true });
    }
  });
});
