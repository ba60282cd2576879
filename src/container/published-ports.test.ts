import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostConfig } from './config.js';
import { portRequests, validatePortBindings } from './published-ports.js';

const hc = (o: Partial<HostConfig>): HostConfig => ({ NetworkMode: 'bridge', ...o }) as HostConfig;

test('validatePortBindings() refuses what dockerd refuses, in its words', () => {
  assert.throws(() => validatePortBindings(hc({ PortBindings: { '99999/tcp': [] } })), { message: 'invalid port specification: "99999"' });
  assert.throws(() => validatePortBindings(hc({ PortBindings: { 'abc': [] } })), { message: 'invalid port specification: "abc"' });
  assert.throws(() => validatePortBindings(hc({ PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '70000' }] } })), { message: 'invalid port specification: "70000"' });
  assert.throws(() => validatePortBindings(hc({ PortBindings: { '80/tcp': [{ HostIp: '1.2.3', HostPort: '80' }] } })), { message: 'invalid IP address: 1.2.3' });
  validatePortBindings(hc({ PortBindings: { '80/tcp': [{ HostIp: '[::1]', HostPort: '8000-8010' }], '53/udp': null as never } }));
});

test('portRequests() turns bindings and -P into requests, sorted by port', () => {
  const out = portRequests(hc({
    PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '' }], '53/udp': [{ HostIp: '', HostPort: '5300-5310' }] },
    PublishAllPorts: true,
  }), { '443/tcp': {}, '80/tcp': {} });
  assert.deepEqual(out, [
    { containerPort: 53, protocol: 'udp', hostIp: '', hostPortStart: 5300, hostPortEnd: 5310 },
    { containerPort: 80, protocol: 'tcp', hostIp: '', hostPortStart: 8080, hostPortEnd: 8080 },
    { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPortStart: 0, hostPortEnd: 0 },
    { containerPort: 443, protocol: 'tcp', hostIp: '', hostPortStart: 0, hostPortEnd: 0 },
  ]);
  assert.deepEqual(portRequests(hc({}), { '80/tcp': {} }), [], 'exposed ports are not published without -P');
});
