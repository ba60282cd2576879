import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { sha256 } from '../../base/index.js';
import { DistributionError } from './errors.js';
import { garbageCollect } from './garbage-collect.js';
import { RegistryStorage } from './registry-storage.js';
import { purgeUploads } from './storage/index.js';

const root = mkdtempSync(join(tmpdir(), 'berth-regstore-'));
after(() => rmSync(root, { recursive: true, force: true }));
const open = (sub = 'uploads'): RegistryStorage => new RegistryStorage({ rootDirectory: join(root, sub), deleteEnabled: true, readOnly: false });

test('an upload resumes in a new process (no hash in memory) and commits only the right digest', async () => {
  const blob = Buffer.from('x'.repeat(100_000) + 'tail');
  const first = open();
  const up = await first.uploads.start('lib/a');
  assert.equal(await first.uploads.append('lib/a', up.id, Readable.from([blob.subarray(0, 50_000)])), 50_000);
  const second = open();
  await assert.rejects(second.uploads.append('lib/a', up.id, Readable.from([Buffer.from('zz')]), { from: 10 }), (e: unknown) => e instanceof DistributionError && e.code === 'RANGE_INVALID' && e.headers['Range'] === '0-49999');
  assert.equal(await second.uploads.append('lib/a', up.id, Readable.from([blob.subarray(50_000)]), { from: 50_000 }), blob.length);
  await assert.rejects(second.uploads.finish('lib/a', up.id, sha256('other')), (e: unknown) => e instanceof DistributionError && e.code === 'DIGEST_INVALID');
  assert.equal(await second.blobs.size(sha256(blob)), undefined);
  await assert.rejects(second.uploads.status('lib/a', up.id), (e: unknown) => e instanceof DistributionError && e.code === 'BLOB_UPLOAD_UNKNOWN');

  const again = await second.uploads.start('lib/a');
  await second.uploads.append('lib/a', again.id, Readable.from([blob.subarray(0, 1000)]));
  const third = open();
  await third.uploads.finish('lib/a', again.id, sha256(blob), Readable.from([blob.subarray(1000)]));
  assert.equal(await third.blobs.sizeIn('lib/a', sha256(blob)), blob.length);
  assert.deepEqual(readdirSync(third.layout.uploadsDir('lib/a')), []);
});

test('garbage-collect --delete-untagged keeps what tags reach (index children, referrers) and sweeps the rest', async () => {
  const s = open('gc');
  const put = async (data: string) => {
    const d = sha256(data);
    const u = await s.uploads.start('gc/r');
    await s.uploads.finish('gc/r', u.id, d, Readable.from([Buffer.from(data)]));
    return { digest: d, size: data.length };
  };
  const image = async (seed: string, extra: Record<string, unknown> = {}) => {
    const config = await put(`{"seed":"${seed}"}`);
    const layer = await put(`layer ${seed}`);
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }], ...extra }));
    return { body, config, layer };
  };
  const child = await image('child');
  const childPut = await s.manifests.put('gc/r', sha256(child.body), child.body, undefined);
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: childPut.digest, size: child.body.length }] }));
  const indexPut = await s.manifests.put('gc/r', 'multi', index, undefined);
  const sig = await image('sig', { subject: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: indexPut.digest, size: index.length } });
  await s.manifests.put('gc/r', sha256(sig.body), sig.body, undefined);
  const orphan = await image('orphan');
  await s.manifests.put('gc/r', sha256(orphan.body), orphan.body, undefined);

  const lines: string[] = [];
  const dry = await garbageCollect(s, { dryRun: true, deleteUntagged: true, out: (l) => lines.push(l) });
  assert.deepEqual(dry.manifests.map((m) => m.digest), [sha256(orphan.body)]);
  assert.deepEqual(new Set(dry.blobs), new Set([sha256(orphan.body), orphan.config.digest, orphan.layer.digest]));
  assert.ok(lines.includes(`blob eligible for deletion: ${orphan.layer.digest}`));
  assert.notEqual(await s.blobs.size(orphan.layer.digest), undefined);

  await garbageCollect(s, { dryRun: false, deleteUntagged: true, out: () => {} });
  assert.equal(await s.blobs.size(orphan.layer.digest), undefined);
  assert.equal(await s.blobs.sizeIn('gc/r', orphan.layer.digest), undefined);
  for (const kept of [child.layer.digest, sig.layer.digest, indexPut.digest, childPut.digest]) assert.notEqual(await s.blobs.size(kept), undefined, kept);
  assert.deepEqual((await s.manifests.referrers('gc/r', indexPut.digest)).map((m) => m.digest), [sha256(sig.body)]);
  await assert.rejects(s.manifests.get('gc/r', sha256(orphan.body)), (e: unknown) => e instanceof DistributionError && e.code === 'MANIFEST_UNKNOWN');
});

test('purgeUploads() deletes sessions older than the age, in every repository, and keeps younger ones', async () => {
  const s = open('purge');
  const old = await s.uploads.start('a/b');
  const young = await s.uploads.start('c');
  const later = Date.now() + 2 * 3_600_000;
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(s.layout.uploadDir('c', young.id), 'startedat'), new Date(later - 60_000).toISOString());
  assert.deepEqual(await purgeUploads(s.layout, { ageMs: 3_600_000, dryRun: true, now: later }), [s.layout.uploadDir('a/b', old.id)]);
  assert.equal((await s.uploads.status('a/b', old.id)).size, 0);
  await purgeUploads(s.layout, { ageMs: 3_600_000, dryRun: false, now: later });
  await assert.rejects(s.uploads.status('a/b', old.id), (e: unknown) => e instanceof DistributionError && e.code === 'BLOB_UPLOAD_UNKNOWN');
  assert.equal((await s.uploads.status('c', young.id)).size, 0);
});
