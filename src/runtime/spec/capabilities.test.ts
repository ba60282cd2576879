import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerCapabilities, DEFAULT_CAPABILITIES, normalizeCapabilities } from './capabilities.js';
import { LINUX_CAPABILITIES } from '../../oci/index.js';

const host = LINUX_CAPABILITIES.filter((c) => c !== 'CAP_SYS_RESOURCE');

test('normalizeCapabilities() upper-cases, prefixes CAP_ and keeps ALL', () => {
  assert.deepEqual(normalizeCapabilities(['net_admin', 'CAP_SYS_TIME', 'all']), ['CAP_NET_ADMIN', 'CAP_SYS_TIME', 'ALL']);
});

test('containerCapabilities() with ALL added grants what the host holds minus drops', () => {
  const caps = containerCapabilities({ capAdd: ['ALL'], capDrop: ['MKNOD'], privileged: false, hostCapabilities: host });
  assert.equal(caps.length, host.length - 1);
  assert.ok(!caps.includes('CAP_MKNOD') && !caps.includes('CAP_SYS_RESOURCE'));
});

test('containerCapabilities() with ALL dropped keeps only the adds', () => {
  assert.deepEqual(containerCapabilities({ capAdd: ['chown'], capDrop: ['all'], privileged: false, hostCapabilities: host }), ['CAP_CHOWN']);
});

test('containerCapabilities() defaults to Docker set', () => {
  assert.deepEqual(containerCapabilities({ capAdd: [], capDrop: [], privileged: false, hostCapabilities: host }), DEFAULT_CAPABILITIES);
});
