import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planNetwork } from './network-create.js';
import { bridgeNetwork } from './predefined.js';

const bridge = bridgeNetwork({ id: 'b'.repeat(64), created: '2026-01-01T00:00:00.000Z' }, { name: 'berth0', subnet: '172.18.0.0/16', gateway: '172.18.0.1', mtu: 1500 });
const ctx = { existing: [bridge], hostRoutes: ['0.0.0.0/0', '192.0.2.0/24'], now: new Date('2026-02-03T04:05:06.000Z') };

test('planNetwork() makes a bridge record named br-<id> with the given subnet, range, gateway and aux addresses', () => {
  const rec = planNetwork({
    name: 'app', labels: { a: 'b' }, internal: true, attachable: true,
    ipam: { config: [{ subnet: '10.9.0.0/24', ipRange: '10.9.0.128/25', gateway: '10.9.0.254', auxAddresses: { router: '10.9.0.2' } }] },
  }, ctx);
  assert.equal(rec.name, 'app');
  assert.equal(rec.driver, 'bridge');
  assert.equal(rec.bridge, `br-${rec.id.slice(0, 12)}`);
  assert.equal(rec.created, '2026-02-03T04:05:06.000Z');
  assert.deepEqual(rec.ipam.config, [{ subnet: '10.9.0.0/24', gateway: '10.9.0.254', ipRange: '10.9.0.128/25', auxAddresses: { router: '10.9.0.2' } }]);
  assert.equal(rec.internal, true);
  assert.equal(rec.attachable, true);
  assert.deepEqual(rec.labels, { a: 'b' });
});

test('planNetwork() picks the first default pool that overlaps no network and no host route', () => {
  assert.equal(planNetwork({ name: 'x' }, ctx).ipam.config[0]!.subnet, '172.17.0.0/16');
  const busy = { ...ctx, hostRoutes: [...ctx.hostRoutes, '172.17.5.0/24'] };
  // 172.17 is routed on the host, 172.18 is the default bridge's
  assert.deepEqual(planNetwork({ name: 'x' }, busy).ipam.config[0], { subnet: '172.19.0.0/16', gateway: '172.19.0.1' });
});

test('planNetwork() refuses what dockerd refuses, with its words', () => {
  assert.throws(() => planNetwork({ name: 'y', ipam: { config: [{ subnet: '172.18.3.0/24' }] } }, ctx), { name: 'ForbiddenError', message: 'invalid pool request: Pool overlaps with other one on this address space' });
  assert.throws(() => planNetwork({ name: 'bridge' }, ctx), { name: 'ForbiddenError', message: 'bridge is a pre-defined network and cannot be created' });
  const app = planNetwork({ name: 'app', ipam: { config: [{ subnet: '10.1.0.0/24' }] } }, ctx);
  assert.throws(() => planNetwork({ name: 'app', ipam: { config: [{ subnet: '10.2.0.0/24' }] } }, { ...ctx, existing: [bridge, app] }), { name: 'ConflictError', message: 'network with name app already exists' });
  assert.throws(() => planNetwork({ name: 'z', driver: 'overlay' }, ctx), { name: 'NotFoundError', message: 'plugin "overlay" not found' });
  assert.throws(() => planNetwork({ name: 'z', driver: 'host' }, ctx), { name: 'ForbiddenError', message: 'only one instance of "host" network is allowed' });
  assert.throws(() => planNetwork({ name: 'z', ipam: { config: [{ subnet: '10.3.0.0/24', gateway: '10.4.0.1' }] } }, ctx), /gateway 10.4.0.1 is not in subnet 10.3.0.0\/24/);
  assert.throws(() => planNetwork({ name: 'z', ipam: { config: [{ subnet: '10.3.0.1/24' }] } }, ctx), /host bits are set/);
  assert.throws(() => planNetwork({ name: 'z', ipam: { config: [{ subnet: '10.3.0.0/24', ipRange: '10.4.0.0/25' }] } }, ctx), /ip-range 10.4.0.0\/25 is not in subnet/);
  assert.throws(() => planNetwork({ name: 'z', ipam: { config: [{ gateway: '10.3.0.1' }] } }, ctx), /need --subnet/);
  assert.throws(() => planNetwork({ name: 'bad name' }, ctx), { name: 'InvalidArgumentError' });
  assert.throws(() => planNetwork({ name: 'z', options: { 'com.docker.network.bridge.name': 'much-too-long-bridge' } }, ctx), /invalid bridge name/);
  assert.throws(() => planNetwork({ name: 'z', options: { 'com.docker.network.driver.mtu': '9' } }, ctx), /invalid MTU/);
  assert.throws(() => planNetwork({ name: 'z', options: { 'com.docker.network.bridge.name': 'berth0' } }, ctx), { name: 'ConflictError' });
  assert.throws(() => planNetwork({ name: 'z', ipam: { config: [{ subnet: 'fd00::/64' }] } }, ctx), /IPv6 subnets need --ipv6/);
});

test('planNetwork() takes subnets from --default-address-pools in order when given', () => {
  const pools = [{ base: '10.40.0.0/23', size: 24 }, { base: '10.50.0.0/16', size: 26 }];
  const first = planNetwork({ name: 'a' }, { ...ctx, addressPools: pools });
  assert.deepEqual(first.ipam.config[0], { subnet: '10.40.0.0/24', gateway: '10.40.0.1' });
  const second = planNetwork({ name: 'b' }, { ...ctx, existing: [bridge, first], addressPools: pools });
  assert.equal(second.ipam.config[0]!.subnet, '10.40.1.0/24');
  const third = planNetwork({ name: 'c' }, { ...ctx, existing: [bridge, first, second], addressPools: pools });
  assert.equal(third.ipam.config[0]!.subnet, '10.50.0.0/26');
  assert.throws(() => planNetwork({ name: 'd' }, { ...ctx, existing: [bridge, first, second], addressPools: [pools[0]!] }), /could not find an available, non-overlapping IPv4 address pool/);
});
