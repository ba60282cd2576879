import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScopedDir } from './beneath.js';
import { resolveInScope } from './scope-path.js';

async function withRoot(fn: (dir: ScopedDir, root: string) => Promise<void>): Promise<void> {
  const d = await mkdtemp(join(tmpdir(), 'berth-scope-'));
  const root = join(d, 'root');
  await mkdir(join(root, 'usr/lib'), { recursive: true });
  await writeFile(join(root, 'usr/lib/f'), 'f');
  await symlink('/usr/lib', join(root, 'abs'));
  await symlink('usr/lib', join(root, 'rel'));
  await symlink('../../../../../../..', join(root, 'climb'));
  await symlink(d, join(root, 'host'));
  await symlink('loop2', join(root, 'loop1'));
  await symlink('loop1', join(root, 'loop2'));
  await symlink('f', join(root, 'usr/lib/flink'));
  const dir = ScopedDir.open(root);
  try { await fn(dir, root); } finally { dir.close(); await rm(d, { recursive: true, force: true }); }
}

test('resolveInScope() follows links inside the root as FollowSymlinkInScope does', async () => {
  await withRoot(async (dir) => {
    const r = (p: string, followLast = true): string => resolveInScope(dir, p, { followLast });
    assert.equal(r('/abs/f'), 'usr/lib/f', 'an absolute target starts at the root');
    assert.equal(r('rel/f'), 'usr/lib/f');
    assert.equal(r('/climb/usr'), 'usr', '".." stops at the root');
    assert.equal(r('/../../usr/./lib/'), 'usr/lib');
    assert.match(r('/host/root/usr'), /^tmp\/berth-scope-[^/]+\/root\/usr$/, 'a link to a host path names that path inside the root');
    assert.equal(r('/abs'), 'usr/lib');
    assert.equal(r('/abs', false), 'abs', 'the last link is kept when asked');
    assert.equal(r('/usr/lib/flink', false), 'usr/lib/flink');
    assert.equal(r('/usr/lib/flink'), 'usr/lib/f');
    assert.equal(r('/nope/../usr/x/y'), 'usr/x/y', 'what is missing is taken as written');
    assert.equal(r('/'), '');
    assert.throws(() => r('/loop1/x'), /too many levels of symbolic links/);
  });
});
