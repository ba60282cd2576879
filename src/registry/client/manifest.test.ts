import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256 } from '../../base/index.js';
import type { Index } from '../../oci/index.js';
import { parseManifest, selectPlatform } from './manifest.js';
import { buildManifest } from './push.js';

const D = (c: string): string => `sha256:${c.repeat(64)}`;

test('parseManifest() tells manifests from indexes and refuses schema 1 and malformed documents', () => {
  const m = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { mediaType: 'x', digest: D('a'), size: 2 }, layers: [] }));
  assert.equal(parseManifest(m, sha256(m)).kind, 'manifest');
  const idx = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'x', digest: D('b'), size: 3 }] }));
  assert.equal(parseManifest(idx, sha256(idx), 'application/vnd.oci.image.index.v1+json').kind, 'index');
  const s1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'x' }));
  assert.throws(() => parseManifest(s1, sha256(s1)), /schema 1 support has been removed/);
  const bad = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: 'sha256:zz', size: 1 }, layers: [] }));
  assert.throws(() => parseManifest(bad, sha256(bad)), /malformed config or layers/);
  assert.throws(() => parseManifest(Buffer.from('{'), sha256('{')), /invalid manifest/);
});

test('selectPlatform() picks os/architecture, the variant when asked, and says when nothing fits', () => {
  const index: Index = {
    schemaVersion: 2,
    manifests: [
      { mediaType: 'm', digest: D('1'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
      { mediaType: 'm', digest: D('2'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
      { mediaType: 'm', digest: D('3'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: 'm', digest: D('4'), size: 1, platform: { os: 'windows', architecture: 'amd64' } },
    ],
  };
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'amd64' }).digest, D('3'));
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v7' }).digest, D('2'));
  assert.throws(() => selectPlatform(index, { os: 'linux', architecture: 's390x' }), /no matching manifest for linux\/s390x in the manifest list entries/);
});

test('buildManifest() writes Docker schema 2 for gzip layers, and OCI media types otherwise', () => {
  const cfg = { digest: D('c') as never, size: 10 };
  const gz = JSON.parse(buildManifest(cfg, [{ digest: D('1') as never, size: 5, compression: 'gzip' }]).bytes.toString());
  assert.equal(gz.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  assert.equal(gz.layers[0].mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
  const mixed = buildManifest(cfg, [{ digest: D('1') as never, size: 5, compression: 'none' }, { digest: D('2') as never, size: 6, compression: 'zstd' }]);
  const doc = JSON.parse(mixed.bytes.toString());
  assert.equal(mixed.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.deepEqual(doc.layers.map((l: { mediaType: string }) => l.mediaType), ['application/vnd.oci.image.layer.v1.tar', 'application/vnd.oci.image.layer.v1.tar+zstd']);
  assert.equal(doc.config.mediaType, 'application/vnd.oci.image.config.v1+json');
  assert.throws(() => buildManifest(cfg, [{ digest: D('1') as never, size: 5, compression: 'bzip2' }]), /Cannot push a bzip2 layer/);
});

test('pullError() words a missing manifest, a missing repository and a refusal as dockerd', async () => {
  const { pullError } = await import('./manifest.js');
  const ref = { domain: 'localhost:5000', path: 'app', tag: 'v1' };
  assert.equal(pullError(ref, 404, 'manifest unknown: manifest unknown', ['MANIFEST_UNKNOWN']).message, 'manifest for localhost:5000/app:v1 not found: manifest unknown: manifest unknown');
  assert.equal(pullError(ref, 404, 'name unknown: repository name not known to registry', ['NAME_UNKNOWN']).message, 'repository localhost:5000/app not found: name unknown: repository name not known to registry');
  assert.equal(pullError({ domain: 'docker.io', path: 'library/nope' }, 401, 'unauthorized: authentication required', ['UNAUTHORIZED']).message,
    "pull access denied for nope, repository does not exist or may require 'docker login': unauthorized: authentication required");
  assert.match(pullError(ref, 502, 'unexpected status', []).message, /unexpected status/);
});
