import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DistributionError } from './errors.js';
import { checkManifest } from './manifest-check.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const isInvalid = (e: unknown): boolean => e instanceof DistributionError && e.code === 'MANIFEST_INVALID';

test('checkManifest() lists the blobs an image manifest needs, foreign layers aside', () => {
  const m = {
    schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: d('1'), size: 10 },
    layers: [
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: d('2'), size: 20 },
      { mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: d('3'), size: 30, urls: ['https://x'] },
    ],
  };
  const f = checkManifest(Buffer.from(JSON.stringify(m)), 'application/vnd.docker.distribution.manifest.v2+json');
  assert.equal(f.mediaType, m.mediaType);
  assert.deepEqual(f.blobs.map((b) => b.digest), [d('1'), d('2')]);
});

test('checkManifest() takes an index\'s children and an artifact\'s subject', () => {
  const idx = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: d('4'), size: 5, platform: { os: 'linux', architecture: 'amd64' } }] };
  const f = checkManifest(Buffer.from(JSON.stringify(idx)), 'application/vnd.oci.image.index.v1+json');
  assert.equal(f.mediaType, 'application/vnd.oci.image.index.v1+json');
  assert.deepEqual(f.manifests, [d('4')]);
  const art = { schemaVersion: 2, artifactType: 'x/y', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: d('5'), size: 2 }, layers: [], subject: { digest: d('6'), size: 1 } };
  const g = checkManifest(Buffer.from(JSON.stringify(art)), undefined);
  assert.equal(g.subject, d('6'));
  assert.equal(g.artifactType, 'x/y');
});

test('checkManifest() refuses what is not a schema 2 manifest with a reason', () => {
  const bad: Array<[unknown, string | undefined]> = [
    ['not json', undefined],
    [[], undefined],
    [{ schemaVersion: 1, name: 'x', fsLayers: [] }, undefined],
    [{ schemaVersion: 2, mediaType: 'text/plain' }, undefined],
    [{ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { digest: d('1'), size: 1 }, layers: [] }, 'application/vnd.oci.image.index.v1+json'],
    [{ schemaVersion: 2, config: { digest: 'sha256:../../etc', size: 1 }, layers: [] }, undefined],
    [{ schemaVersion: 2, config: { digest: d('1'), size: -1 }, layers: [] }, undefined],
    [{ schemaVersion: 2, config: { digest: d('1'), size: 1 } }, undefined],
  ];
  for (const [m, ct] of bad) {
    const body = typeof m === 'string' ? Buffer.from(m) : Buffer.from(JSON.stringify(m));
    assert.throws(() => checkManifest(body, ct), isInvalid, JSON.stringify(m));
  }
});
