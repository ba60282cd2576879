import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseContentRange, parseRange } from './blob-routes.js';
import { DistributionError } from './errors.js';
import { matchRoute, requiredAccess } from './routes.js';

const D = `sha256:${'a'.repeat(64)}`;

test('matchRoute() finds the repository name before the last API segment, slashes included', () => {
  assert.deepEqual(matchRoute('/v2/'), { kind: 'base' });
  assert.deepEqual(matchRoute('/v2/library/busybox/manifests/latest'), { kind: 'manifest', name: 'library/busybox', reference: 'latest' });
  assert.deepEqual(matchRoute(`/v2/a/blobs/b/blobs/${D}`), { kind: 'blob', name: 'a/blobs/b', digest: D });
  assert.deepEqual(matchRoute('/v2/a/b/blobs/uploads/'), { kind: 'uploads', name: 'a/b' });
  assert.deepEqual(matchRoute('/v2/a/blobs/uploads/123'), { kind: 'upload', name: 'a', id: '123' });
  assert.deepEqual(matchRoute('/v2/a/tags/list'), { kind: 'tags', name: 'a' });
  assert.deepEqual(matchRoute(`/v2/a/referrers/${D}`), { kind: 'referrers', name: 'a', digest: D });
  assert.deepEqual(matchRoute('/v2/_catalog'), { kind: 'catalog' });
  assert.equal(matchRoute('/v3/x'), undefined);
});

test('matchRoute() refuses names with "..", ".", uppercase or empty components as NAME_INVALID', () => {
  for (const name of ['a/../b', '..', 'a/./b', 'A', 'a//b', 'a/', 'a%2fb', 'a b', 'x'.repeat(256)]) {
    assert.throws(() => matchRoute(`/v2/${name}/tags/list`), (e: unknown) => e instanceof DistributionError && e.code === 'NAME_INVALID', name);
  }
});

test('matchRoute() refuses bad digests and tags', () => {
  assert.throws(() => matchRoute('/v2/a/blobs/sha256:abc'), (e: unknown) => e instanceof DistributionError && e.code === 'DIGEST_INVALID');
  assert.throws(() => matchRoute('/v2/a/blobs/..'), (e: unknown) => e instanceof DistributionError && e.code === 'DIGEST_INVALID');
  assert.throws(() => matchRoute('/v2/a/manifests/%zz'), (e: unknown) => e instanceof DistributionError && e.code === 'TAG_INVALID');
  assert.throws(() => matchRoute('/v2/a/blobs/sha256:%zz'), (e: unknown) => e instanceof DistributionError && e.code === 'DIGEST_INVALID');
  assert.throws(() => matchRoute('/v2/a/manifests/-bad'), (e: unknown) => e instanceof DistributionError && e.code === 'TAG_INVALID');
});

test('requiredAccess() asks pull to read, push to write, delete to delete, pull on the source of a mount', () => {
  const q = new URLSearchParams();
  assert.deepEqual(requiredAccess({ kind: 'manifest', name: 'a', reference: 'x' }, 'GET', q), [{ type: 'repository', name: 'a', actions: ['pull'] }]);
  assert.deepEqual(requiredAccess({ kind: 'manifest', name: 'a', reference: 'x' }, 'PUT', q), [{ type: 'repository', name: 'a', actions: ['pull', 'push'] }]);
  assert.deepEqual(requiredAccess({ kind: 'manifest', name: 'a', reference: 'x' }, 'DELETE', q), [{ type: 'repository', name: 'a', actions: ['delete'] }]);
  assert.deepEqual(requiredAccess({ kind: 'uploads', name: 'a' }, 'POST', new URLSearchParams(`mount=${D}&from=b`)), [
    { type: 'repository', name: 'a', actions: ['pull', 'push'] }, { type: 'repository', name: 'b', actions: ['pull'] },
  ]);
  assert.deepEqual(requiredAccess({ kind: 'catalog' }, 'GET', q), [{ type: 'registry', name: 'catalog', actions: ['*'] }]);
});

test('parseRange() reads single byte ranges and knows unsatisfiable ones', () => {
  assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
  assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=50-500', 100), { start: 50, end: 99 });
  assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
  assert.equal(parseRange('bytes=9-3', 100), 'unsatisfiable');
  assert.equal(parseRange('bytes=0-1,5-6', 100), undefined);
  assert.equal(parseRange(undefined, 100), undefined);
});

test('parseContentRange() takes the forms clients send and refuses the rest', () => {
  assert.deepEqual(parseContentRange('0-99'), { start: 0, end: 99 });
  assert.deepEqual(parseContentRange('bytes 100-199/*'), { start: 100, end: 199 });
  assert.deepEqual(parseContentRange('bytes=5-9'), { start: 5, end: 9 });
  assert.throws(() => parseContentRange('9-5'), /invalid content range/);
  assert.throws(() => parseContentRange('x'), /invalid content range/);
});
