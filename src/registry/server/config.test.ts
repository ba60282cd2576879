import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from './config.js';

const YAML = `version: 0.1
storage:
  filesystem:
    rootdirectory: /srv/registry
  delete:
    enabled: true
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: basic-realm
    path: /etc/registry/htpasswd
`;

test('parseConfig() reads the reference registry\'s config.yml shape', () => {
  const c = parseConfig(YAML, {});
  assert.equal(c.storage.rootDirectory, '/srv/registry');
  assert.equal(c.storage.deleteEnabled, true);
  assert.equal(c.http.addr, ':5000');
  assert.deepEqual(c.http.headers, { 'X-Content-Type-Options': ['nosniff'] });
  assert.deepEqual(c.auth, { kind: 'htpasswd', realm: 'basic-realm', path: '/etc/registry/htpasswd' });
});

test('parseConfig() applies REGISTRY_* overrides over the file, case-insensitively', () => {
  const c = parseConfig(YAML, {
    REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: '/data',
    REGISTRY_HTTP_ADDR: '127.0.0.1:6000',
    REGISTRY_STORAGE_DELETE_ENABLED: 'false',
    REGISTRY_HTTP_TLS_CERTIFICATE: '/certs/domain.crt',
    REGISTRY_HTTP_TLS_KEY: '/certs/domain.key',
    REGISTRY_AUTH_HTPASSWD_REALM: 'Registry Realm',
  });
  assert.equal(c.storage.rootDirectory, '/data');
  assert.equal(c.http.addr, '127.0.0.1:6000');
  assert.equal(c.storage.deleteEnabled, false);
  assert.deepEqual(c.http.tls, { certificate: '/certs/domain.crt', key: '/certs/domain.key', clientCas: [] });
  assert.equal(c.auth?.kind === 'htpasswd' && c.auth.realm, 'Registry Realm');
});

test('parseConfig() without a file gives the registry image\'s defaults', () => {
  const c = parseConfig('', {});
  assert.equal(c.storage.rootDirectory, '/var/lib/registry');
  assert.equal(c.http.addr, ':5000');
  assert.equal(c.auth, undefined);
  assert.equal(c.storage.deleteEnabled, false);
});

test('parseConfig() refuses what it cannot honour, with the key in the message', () => {
  assert.throws(() => parseConfig('storage:\n  s3:\n    bucket: x\n', {}), /storage driver "s3"/);
  assert.throws(() => parseConfig('http:\n  tls:\n    certificate: /a\n', {}), /both certificate and key/);
  assert.throws(() => parseConfig('auth:\n  htpasswd:\n    realm: r\n', {}), /path is required/);
  assert.throws(() => parseConfig('storage:\n  filesystem:\n    rootdirectory: relative\n', {}), /absolute path/);
  assert.throws(() => parseConfig('version: 0.2\n', {}), /version "0.2"/);
  assert.throws(() => parseConfig('http: [1, 2\n', {}), /Cannot parse registry configuration/);
  assert.throws(() => parseConfig('auth:\n  silly:\n    realm: r\n', {}), /auth scheme "silly"/);
});

test('parseConfig() reads token auth', () => {
  const c = parseConfig('auth:\n  token:\n    realm: https://auth/token\n    service: reg\n    issuer: iss\n    rootcertbundle: /root.pem\n', {});
  assert.deepEqual(c.auth, { kind: 'token', realm: 'https://auth/token', service: 'reg', issuer: 'iss', rootCertBundle: '/root.pem', autoRedirect: false });
});

test('parseConfig() reads upload purging with Go durations, on by default as in distribution', () => {
  assert.deepEqual(parseConfig('', {}).storage.uploadPurging, { enabled: true, ageMs: 168 * 3_600_000, intervalMs: 24 * 3_600_000, dryRun: false });
  const c = parseConfig('storage:\n  maintenance:\n    uploadpurging:\n      enabled: true\n      age: 1h30m\n      interval: 90s\n      dryrun: true\n', {});
  assert.deepEqual(c.storage.uploadPurging, { enabled: true, ageMs: 5_400_000, intervalMs: 90_000, dryRun: true });
  assert.throws(() => parseConfig('storage:\n  maintenance:\n    uploadpurging:\n      age: soon\n', {}), /uploadpurging.age "soon"/);
});
