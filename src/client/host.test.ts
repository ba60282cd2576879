import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_DAEMON_HOST, parseDaemonHost } from './host.js';

test('parseDaemonHost() reads docker -H forms', () => {
  assert.deepEqual(parseDaemonHost('unix:///run/x.sock'), { kind: 'unix', socketPath: '/run/x.sock', url: 'unix:///run/x.sock' });
  assert.deepEqual(parseDaemonHost('/run/x.sock'), { kind: 'unix', socketPath: '/run/x.sock', url: 'unix:///run/x.sock' });
  assert.deepEqual(parseDaemonHost('tcp://10.0.0.1:2375'), { kind: 'tcp', host: '10.0.0.1', port: 2375, tls: false, url: 'tcp://10.0.0.1:2375' });
  assert.deepEqual(parseDaemonHost('tcp://example.com'), { kind: 'tcp', host: 'example.com', port: 2375, tls: false, url: 'tcp://example.com:2375' });
  assert.equal(parseDaemonHost('tcp://example.com', { tls: true }).url, 'tcp://example.com:2376');
  assert.deepEqual(parseDaemonHost('localhost:1234'), { kind: 'tcp', host: 'localhost', port: 1234, tls: false, url: 'tcp://localhost:1234' });
  assert.deepEqual(parseDaemonHost('tcp://[::1]:99'), { kind: 'tcp', host: '::1', port: 99, tls: false, url: 'tcp://[::1]:99' });
  assert.equal(parseDaemonHost('').url, DEFAULT_DAEMON_HOST);
});

test('parseDaemonHost() refuses other schemes and bad ports', () => {
  assert.throws(() => parseDaemonHost('ssh://host'), /Invalid bind address format: ssh:\/\/host/);
  assert.throws(() => parseDaemonHost('tcp://host:abc'), /Invalid bind address format/);
  assert.throws(() => parseDaemonHost('unix://'), /Invalid bind address format/);
});
