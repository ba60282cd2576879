import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registryConfig } from './registry-config.js';

test('registryConfig() reads daemon.json registry keys, adds the flags, and refuses bad values as dockerd', () => {
  const c = registryConfig({ 'registry-mirrors': ['https://m.example'], 'insecure-registries': ['10.0.0.0/8'], 'max-concurrent-downloads': 5 }, { insecure: ['reg:5000'], certsDirs: ['/tmp/certs.d'] });
  assert.deepEqual(c, {
    mirrors: ['https://m.example'], insecure: ['10.0.0.0/8', 'reg:5000'], certsDirs: ['/tmp/certs.d'],
    maxConcurrentDownloads: 5, maxConcurrentUploads: 3, maxDownloadAttempts: 5,
  });
  assert.deepEqual(registryConfig({}, {}).certsDirs, ['/etc/berth/certs.d', '/etc/docker/certs.d']);
  assert.throws(() => registryConfig({ 'registry-mirrors': ['m.example'] }, {}), /invalid mirror/);
  assert.throws(() => registryConfig({ 'max-concurrent-uploads': 0 }, {}), /must be a positive integer/);
  assert.throws(() => registryConfig({ 'insecure-registries': 'x' }, {}), /expected a list of strings/);
});
