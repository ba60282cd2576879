import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { silentLogger } from '../base/index.js';
import type { ContainerRecord } from './config.js';
import { ContainerStore } from './store.js';

function record(id: string, name: string, created: string, status = 'exited'): ContainerRecord {
  return { id, name, created, state: { status } } as unknown as ContainerRecord;
}

test('forget() hides a record and frees its name but keeps it on disk; delete() removes it', async (t) => {
  const root = await tempRoot(t);
  const store = await ContainerStore.open(root, silentLogger);
  const a = record('a'.repeat(64), 'web', '2026-01-01T00:00:00Z');
  await store.save(a);
  store.forget(a);
  assert.equal(store.find('web'), undefined);
  assert.equal(store.find(a.id), undefined);
  assert.deepEqual(await readdir(root), [a.id]);
  store.reserveName('web', 'b'.repeat(64)); // free for another container
  await store.delete(a);
  assert.deepEqual(await readdir(root), []);
  assert.equal(store.nameOwner('web'), 'b'.repeat(64), 'deleting the old record leaves the new owner alone');
});

test('at load, a name claimed by a half-removed record and a newer container goes to the newer one', async () => {
  // both orders on disk: which record the directory listing yields first must not matter
  for (const [oldId, freshId] of [['1'.repeat(64), '2'.repeat(64)], ['2'.repeat(64), '1'.repeat(64)]] as const) {
    const root = await mkdtemp(join(tmpdir(), 'berth-store-'));
    try {
      const old = record(oldId, 'web', '2026-01-01T00:00:00Z', 'removing');
      const fresh = record(freshId, 'web', '2026-01-02T00:00:00Z', 'running');
      const first = await ContainerStore.open(root, silentLogger);
      await first.save(old);
      first.forget(old);
      await first.save(fresh);
      const store = await ContainerStore.open(root, silentLogger);
      assert.equal(store.nameOwner('web'), fresh.id);
      assert.equal(store.all().length, 2, 'both load: recover() finishes the removal');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
});

test('open() removes a container directory whose record is missing or torn, and keeps the others', async (t) => {
  const root = await tempRoot(t);
  const first = await ContainerStore.open(root, silentLogger);
  const kept = record('a'.repeat(64), 'kept', '2026-01-01T00:00:00Z');
  await first.save(kept);
  await mkdir(join(root, 'b'.repeat(64)));
  await mkdir(join(root, 'c'.repeat(64)));
  await writeFile(join(root, 'c'.repeat(64), 'container.json'), '{"id":');
  const store = await ContainerStore.open(root, silentLogger);
  assert.deepEqual(store.all().map((r) => r.id), [kept.id]);
  assert.deepEqual(await readdir(root), [kept.id]);
});

/** A temp directory that goes when the test ends. */
async function tempRoot(t: TestContext): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'berth-store-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  return root;
}
