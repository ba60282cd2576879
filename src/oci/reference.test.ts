import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReference, parseNormalizedNamed, parseAnyReference, familiarString, familiarName, referenceString } from './reference.js';
import { InvalidArgumentError } from '../base/index.js';

const HEX = 'a'.repeat(64);

test('parseReference() normalizes familiar names as Docker does', () => {
  const table: Array<[string, string, string]> = [
    ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
    ['library/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['index.docker.io/library/busybox:x', 'docker.io/library/busybox:x', 'busybox:x'],
    ['user/app', 'docker.io/user/app:latest', 'user/app:latest'],
    ['library/a/b', 'docker.io/library/a/b:latest', 'library/a/b:latest'],
    ['localhost/app', 'localhost/app:latest', 'localhost/app:latest'],
    ['localhost:5000/app:v1', 'localhost:5000/app:v1', 'localhost:5000/app:v1'],
    ['quay.io/coreos/etcd', 'quay.io/coreos/etcd:latest', 'quay.io/coreos/etcd:latest'],
    ['[::1]:5000/app', '[::1]:5000/app:latest', '[::1]:5000/app:latest'],
    ['Registry.io/app', 'Registry.io/app:latest', 'Registry.io/app:latest'],
    ['a-b__c.d/e', 'a-b__c.d/e:latest', 'a-b__c.d/e:latest'],
    [`busybox@sha256:${HEX}`, `docker.io/library/busybox@sha256:${HEX}`, `busybox@sha256:${HEX}`],
    [`busybox:1@sha256:${HEX}`, `docker.io/library/busybox:1@sha256:${HEX}`, `busybox:1@sha256:${HEX}`],
  ];
  for (const [input, full, familiar] of table) {
    const ref = parseReference(input);
    assert.equal(referenceString(ref), full, input);
    assert.equal(familiarString(ref), familiar, input);
  }
});

test('parseReference() refuses malformed references with Docker texts', () => {
  const table: Array<[string, string]> = [
    ['Busybox', 'invalid reference format: repository name (library/Busybox) must be lowercase'],
    ['user/App:v1', 'invalid reference format: repository name (user/App) must be lowercase'],
    ['UPPER/x', 'invalid reference format: repository name (UPPER/x) must be lowercase'],
    ['Registry/app', 'invalid reference format: repository name (Registry/app) must be lowercase'],
    ['busybox:', 'invalid reference format'],
    ['busy box', 'invalid reference format'],
    ['-busybox', 'invalid reference format'],
    ['busybox:-tag', 'invalid reference format'],
    ['busybox::x', 'invalid reference format'],
    [':tag', 'invalid reference format'],
    ['', 'invalid reference format'],
    [HEX, `invalid repository name (${HEX}), cannot specify 64-byte hexadecimal strings`],
    ['a'.repeat(256), 'repository name must not be more than 255 characters'],
    ['busybox@sha256:abc', 'invalid reference format'],
  ];
  for (const [input, message] of table) {
    assert.throws(() => parseReference(input), (e: unknown) => {
      assert.ok(e instanceof InvalidArgumentError, input);
      assert.equal(e.message, message, input);
      return true;
    });
  }
});

test('parseNormalizedNamed() does not add a tag and familiarName() strips the default domain', () => {
  const r = parseNormalizedNamed('busybox');
  assert.equal(r.tag, undefined);
  assert.equal(familiarName(r), 'busybox');
  assert.equal(familiarName(parseNormalizedNamed('docker.io/library/a/b')), 'library/a/b');
});

test('parseAnyReference() treats bare IDs and sha256 digests as digests', () => {
  assert.deepEqual(parseAnyReference(HEX), { kind: 'digest', digest: `sha256:${HEX}` });
  assert.deepEqual(parseAnyReference(`sha256:${HEX}`), { kind: 'digest', digest: `sha256:${HEX}` });
  const named = parseAnyReference('abc123');
  assert.equal(named.kind, 'named');
});
