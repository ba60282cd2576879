import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePortSpecs, toStandardPortNotation } from './ports.js';

test('parsePortSpecs() reads docker -p forms', () => {
  assert.deepEqual(parsePortSpecs(['80']), { exposed: { '80/tcp': {} }, bindings: { '80/tcp': [{ HostIp: '', HostPort: '' }] } });
  assert.deepEqual(parsePortSpecs(['8080:80']).bindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  assert.deepEqual(parsePortSpecs(['127.0.0.1:53:53/udp']).bindings, { '53/udp': [{ HostIp: '127.0.0.1', HostPort: '53' }] });
  assert.deepEqual(parsePortSpecs(['[::1]:80:80']).bindings, { '80/tcp': [{ HostIp: '::1', HostPort: '80' }] });
  assert.deepEqual(parsePortSpecs(['127.0.0.1::80']).bindings, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
  assert.deepEqual(parsePortSpecs(['9000-9001:90-91']).bindings, {
    '90/tcp': [{ HostIp: '', HostPort: '9000' }],
    '91/tcp': [{ HostIp: '', HostPort: '9001' }],
  });
  // One container port and a host range: the daemon picks a port in the range.
  assert.deepEqual(parsePortSpecs(['8000-8010:80']).bindings, { '80/tcp': [{ HostIp: '', HostPort: '8000-8010' }] });
  assert.deepEqual(parsePortSpecs(['80', '8080:80']).bindings['80/tcp']!.length, 2);
});

test('parsePortSpecs() fails with go-connections\' texts', () => {
  assert.throws(() => parsePortSpecs(['8080:']), /^Error: no port specified: 8080:<empty>$/);
  assert.throws(() => parsePortSpecs(['abc']), /^Error: invalid containerPort: abc$/);
  assert.throws(() => parsePortSpecs(['x:80']), /^Error: invalid hostPort: x$/);
  assert.throws(() => parsePortSpecs(['1.2.3:80:80']), /^Error: invalid IP address: 1.2.3$/);
  assert.throws(() => parsePortSpecs(['80/xyz']), /^Error: invalid proto: xyz$/);
  assert.throws(() => parsePortSpecs(['1-3:1-2']), /invalid ranges specified for container and host Ports: 1-2 and 1-3/);
});

test('toStandardPortNotation() maps the long -p syntax', () => {
  assert.deepEqual(toStandardPortNotation(['published=8080,target=80', 'target=53,protocol=udp', '80:80']), ['8080:80/tcp', ':53/udp', '80:80']);
  assert.throws(() => toStandardPortNotation(['published=1,x']), /invalid publish opts format \(should be name=value but got 'x'\)/);
});
