import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpointsFor, isInsecure, isLoopback, mirrorEndpoint } from './endpoint.js';

test('isLoopback() knows localhost, 127/8 and ::1, with or without a port', () => {
  for (const h of ['localhost', 'localhost:5000', '127.0.0.1:5000', '127.1.2.3', '[::1]:5000', 'reg.localhost:1']) assert.equal(isLoopback(h), true, h);
  for (const h of ['registry.example:5000', '10.0.0.1:5000', '128.0.0.1']) assert.equal(isLoopback(h), false, h);
});

test('isInsecure() matches hosts, host:port and CIDRs of insecure-registries', () => {
  const insecure = ['reg.example:5000', '10.1.0.0/16', 'http://plain.example'];
  assert.equal(isInsecure('reg.example:5000', insecure), true);
  assert.equal(isInsecure('reg.example:5001', insecure), false);
  assert.equal(isInsecure('10.1.2.3:5000', insecure), true);
  assert.equal(isInsecure('10.2.0.1:5000', insecure), false);
  assert.equal(isInsecure('plain.example', insecure), true);
  assert.equal(isInsecure('other.example', insecure), false);
});

test('endpointsFor() sends docker.io pulls to the mirrors first and pushes to Docker Hub only', () => {
  const opts = { insecure: [], mirrors: ['https://mirror.example', 'http://127.0.0.1:5000'] };
  assert.deepEqual(endpointsFor('docker.io', opts, 'pull').map((e) => [e.host, e.schemes, e.mirror]), [
    ['mirror.example', ['https'], true], ['127.0.0.1:5000', ['http'], true], ['registry-1.docker.io', ['https'], false],
  ]);
  assert.deepEqual(endpointsFor('docker.io', opts, 'push').map((e) => e.host), ['registry-1.docker.io']);
  assert.deepEqual(endpointsFor('localhost:5000', opts, 'pull'), [{ host: 'localhost:5000', schemes: ['https', 'http'], mirror: false }]);
  assert.deepEqual(endpointsFor('quay.io', opts, 'pull'), [{ host: 'quay.io', schemes: ['https'], mirror: false }]);
});

test('mirrorEndpoint() refuses what dockerd refuses', () => {
  assert.throws(() => mirrorEndpoint('mirror.example', { insecure: [] }), /invalid mirror/);
  assert.throws(() => mirrorEndpoint('ftp://mirror.example', { insecure: [] }), /unsupported scheme "ftp"/);
  assert.throws(() => mirrorEndpoint('https://mirror.example/path', { insecure: [] }), /path, query, or fragment/);
});
