import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IpamStore } from './ipam-store.js';

test('IpamStore keeps leases across a reopen', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-ipam-'));
  try {
    const a = await IpamStore.open(dir);
    await a.ensurePool('net1', { subnet: '10.9.0.0/24', gateway: '10.9.0.1' });
    assert.equal((await a.allocate('net1', 'c1')).ip, '10.9.0.2');
    assert.equal((await a.allocate('net1', 'c2')).ip, '10.9.0.3');
    await a.release('net1', 'c1');
    const b = await IpamStore.open(dir);
    assert.deepEqual(b.pool('net1')!.toState().leases, { '10.9.0.3': 'c2' });
    assert.equal((await b.allocate('net1', 'c3')).ip, '10.9.0.2');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('ensurePool() refuses to move a network whose addresses are in use, and moves an idle one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-ipam-'));
  try {
    const s = await IpamStore.open(dir);
    await s.ensurePool('n', { subnet: '10.9.0.0/24', gateway: '10.9.0.1' });
    await s.allocate('n', 'c1');
    await assert.rejects(s.ensurePool('n', { subnet: '10.10.0.0/24', gateway: '10.10.0.1' }), { name: 'ConflictError' });
    await s.release('n', 'c1');
    const moved = await s.ensurePool('n', { subnet: '10.10.0.0/24', gateway: '10.10.0.1' });
    assert.equal(moved.subnet, '10.10.0.0/24');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('parallel allocations on one network never share an address', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-ipam-'));
  try {
    const s = await IpamStore.open(dir);
    await s.ensurePool('n', { subnet: '10.9.0.0/24', gateway: '10.9.0.1' });
    const leases = await Promise.all(Array.from({ length: 20 }, (_, i) => s.allocate('n', `c${i}`)));
    assert.equal(new Set(leases.map((l) => l.ip)).size, 20);
    const reopened = await IpamStore.open(dir);
    assert.equal(reopened.pool('n')!.size, 20);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
