import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layerChanges } from './layer-changes.js';

async function withDirs(fn: (d: { upper: string; lower: string; outside: string }) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'berth-changes-'));
  const d = { upper: join(root, 'upper'), lower: join(root, 'lower'), outside: join(root, 'outside') };
  try {
    for (const p of Object.values(d)) await mkdir(p);
    await fn(d);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const listed = async (upper: string, lower: string): Promise<string[]> =>
  (await layerChanges({ upper, lowerDirs: [lower] })).map((c) => `${c.kind} ${c.path}`);

test('layerChanges() lists the parent of an addition as changed even when its own metadata is the same', async () => {
  await withDirs(async ({ upper, lower }) => {
    await mkdir(join(lower, 'lib'));
    await mkdir(join(upper, 'lib'));
    await writeFile(join(upper, 'lib/new'), 'n');
    // copy-up keeps a directory's mtime; make both sides equal after the write
    const t = new Date('2020-01-02T03:04:05Z');
    await utimes(join(lower, 'lib'), t, t);
    await utimes(join(upper, 'lib'), t, t);
    assert.deepEqual(await listed(upper, lower), ['C /lib', 'A /lib/new']);
  });
});

test('layerChanges() leaves out a directory that only holds changed files and is itself the same', async () => {
  await withDirs(async ({ upper, lower }) => {
    await mkdir(join(lower, 'etc'));
    await writeFile(join(lower, 'etc/passwd'), 'root');
    await mkdir(join(upper, 'etc'));
    await writeFile(join(upper, 'etc/passwd'), 'root and more');
    const t = new Date('2020-01-02T03:04:05Z');
    await utimes(join(lower, 'etc'), t, t);
    await utimes(join(upper, 'etc'), t, t);
    assert.deepEqual(await listed(upper, lower), ['C /etc/passwd']);
  });
});

test('layerChanges() never looks through a symlink in a lower layer', async () => {
  await withDirs(async ({ upper, lower, outside }) => {
    // the image has x -> <outside>, where a file of that name exists; the container made x a directory
    await writeFile(join(outside, 'passwd'), 'host');
    await symlink(outside, join(lower, 'x'));
    await mkdir(join(upper, 'x'));
    await writeFile(join(upper, 'x/passwd'), 'mine');
    assert.deepEqual(await listed(upper, lower), ['C /x', 'A /x/passwd']);
  });
});
