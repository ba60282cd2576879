import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Digest } from '../../base/index.js';
import type { ImageConfig, ImageHistory } from '../../oci/index.js';
import { CacheSources } from './cache-sources.js';

const d = (c: string): Digest => `sha256:${c.repeat(64)}` as Digest;

function image(history: ImageHistory[], diffIds: Digest[]): ImageConfig {
  return { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds }, history };
}

const base = image([{ created_by: 'ADD rootfs.tar /' }], [d('a')]);
const built = image([
  { created_by: 'ADD rootfs.tar /' },
  { created_by: '/bin/sh -c #(nop)  ENV A=1', empty_layer: true },
  { created_by: '/bin/sh -c make' },
  { created_by: '/bin/sh -c #(nop)  CMD ["app"]', empty_layer: true },
], [d('a'), d('b')]);

test('CacheSources.match() finds the source step whose history continues the parent with the same instruction', () => {
  const sources = new CacheSources([{ id: 'sha256:built', config: built }]);
  assert.deepEqual(sources.match(base, '/bin/sh -c #(nop)  ENV A=1'), { kind: 'step', source: { id: 'sha256:built', config: built }, index: 1 });
  assert.equal(sources.match(base, '/bin/sh -c #(nop)  ENV A=2'), undefined);
});

test('CacheSources.match() gives the source itself for its last step', () => {
  const sources = new CacheSources([{ id: 'sha256:built', config: built }]);
  const parent = image(built.history!.slice(0, 3), [d('a'), d('b')]);
  assert.deepEqual(sources.match(parent, '/bin/sh -c #(nop)  CMD ["app"]'), { kind: 'image', id: 'sha256:built' });
});

test('CacheSources.match() refuses a parent whose history or layers the source does not start with', () => {
  const sources = new CacheSources([{ id: 'sha256:built', config: built }]);
  const otherLayer = image([{ created_by: 'ADD rootfs.tar /' }], [d('c')]);
  assert.equal(sources.match(otherLayer, '/bin/sh -c #(nop)  ENV A=1'), undefined);
  const otherHistory = image([{ created_by: 'ADD other.tar /' }], [d('a')]);
  assert.equal(sources.match(otherHistory, '/bin/sh -c #(nop)  ENV A=1'), undefined);
  assert.equal(sources.match(built, 'anything'), undefined, 'a parent as long as the source');
});

test('CacheSources.match() sticks to the source that served a step', () => {
  const twin = image(built.history!.slice(0, 2).concat([{ created_by: '/bin/sh -c other' }]), [d('a'), d('e')]);
  const sources = new CacheSources([{ id: 'sha256:twin', config: twin }, { id: 'sha256:built', config: built }]);
  assert.equal((sources.match(base, '/bin/sh -c #(nop)  ENV A=1') as { source: { id: string } }).source.id, 'sha256:twin');
  const parent = image(built.history!.slice(0, 2), [d('a')]);
  assert.equal(sources.match(parent, '/bin/sh -c make'), undefined, 'only the twin is asked now');
});

test('CacheSources.covers() accepts a local hit only on a source’s parent chain', async () => {
  const parents: Record<string, string> = { 'sha256:built': 'sha256:mid', 'sha256:mid': 'sha256:root' };
  const sources = new CacheSources([{ id: 'sha256:built', config: built }]);
  const parentOf = async (id: string): Promise<string | undefined> => parents[id];
  assert.equal(await sources.covers('sha256:mid', parentOf), true);
  assert.equal(await sources.covers('sha256:built', parentOf), true);
  assert.equal(await sources.covers('sha256:elsewhere', parentOf), false);
});
