import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wireVeth } from './links.js';

const ok = { hostName: 'veth0123456789a', bridge: 'berth0', netns: 'berth-p1-ab', peerName: 'eth0', mac: '02:42:ac:12:00:02', cidr: '172.18.0.2/16', gateway: '172.18.0.1' };

test('wireVeth() refuses names and values that could break out of an ip batch line, before running anything', async () => {
  await assert.rejects(wireVeth({ ...ok, hostName: 'veth-much-too-long-name' }), { name: 'InvalidArgumentError' });
  await assert.rejects(wireVeth({ ...ok, bridge: 'br0\nlink del eth0' }), { name: 'InvalidArgumentError' });
  await assert.rejects(wireVeth({ ...ok, netns: 'ns name' }), { name: 'InvalidArgumentError' });
  await assert.rejects(wireVeth({ ...ok, cidr: '172.18.0.2/16\nroute flush all' }), { name: 'InvalidArgumentError' });
});
