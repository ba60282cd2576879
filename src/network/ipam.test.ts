import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpPool } from './ipam.js';

test('allocate() hands out the lowest free host address, skipping the gateway', () => {
  const pool = IpPool.create('10.5.0.0/24');
  assert.equal(pool.gatewayIp, '10.5.0.1');
  assert.deepEqual(pool.allocate('a'), { ip: '10.5.0.2', prefixLen: 24, gateway: '10.5.0.1' });
  assert.equal(pool.allocate('b').ip, '10.5.0.3');
  pool.release('a');
  assert.equal(pool.allocate('c').ip, '10.5.0.2');
});

test('allocate() works around a gateway placed in the middle', () => {
  const pool = IpPool.create('10.5.0.0/29', '10.5.0.2');
  assert.deepEqual(['a', 'b', 'c'].map((o) => pool.allocate(o).ip), ['10.5.0.1', '10.5.0.3', '10.5.0.4']);
});

test('allocate() reports exhaustion without handing out broadcast or network addresses', () => {
  const pool = IpPool.create('10.5.0.0/30');
  assert.equal(pool.allocate('a').ip, '10.5.0.2');
  assert.throws(() => pool.allocate('b'), { name: 'UnavailableError', message: /no available IPv4 addresses/ });
});

test('allocate() with a preferred address refuses taken or foreign ones', () => {
  const pool = IpPool.create('10.5.0.0/24');
  assert.equal(pool.allocate('a', { preferred: '10.5.0.9' }).ip, '10.5.0.9');
  assert.throws(() => pool.allocate('b', { preferred: '10.5.0.9' }), { name: 'ConflictError', message: 'Address already in use' });
  assert.throws(() => pool.allocate('b', { preferred: '10.5.0.1' }), { name: 'InvalidArgumentError' });
  assert.throws(() => pool.allocate('b', { preferred: '10.6.0.1' }), { name: 'InvalidArgumentError' });
  assert.throws(() => pool.allocate('b', { preferred: '10.5.0.255' }), { name: 'InvalidArgumentError' });
});

test('toState() round-trips the leases and their owners', () => {
  const pool = IpPool.create('10.5.0.0/24');
  pool.allocate('a');
  pool.allocate('b');
  const again = new IpPool(JSON.parse(JSON.stringify(pool.toState())));
  assert.deepEqual(again.leasesOf('b'), [{ ip: '10.5.0.3', prefixLen: 24, gateway: '10.5.0.1' }]);
  assert.deepEqual([...again.owners()].sort(), ['a', 'b']);
  assert.equal(again.allocate('c').ip, '10.5.0.4');
});

test('IpPool refuses a gateway outside its subnet and subnets too small to use', () => {
  assert.throws(() => IpPool.create('10.5.0.0/24', '10.6.0.1'), /expected a host address inside 10\.5\.0\.0\/24/);
  assert.throws(() => IpPool.create('10.5.0.0/31'), /\/30 or shorter/);
});

test('an ip-range limits where addresses come from; auxiliary addresses are never handed out', () => {
  const pool = IpPool.create('10.9.0.0/24', undefined, { range: '10.9.0.128/30', reserved: { 'aux:r': '10.9.0.129' } });
  assert.equal(pool.allocate('a').ip, '10.9.0.128');
  assert.equal(pool.allocate('b').ip, '10.9.0.130');
  assert.equal(pool.allocate('c').ip, '10.9.0.131');
  assert.throws(() => pool.allocate('d'), { name: 'UnavailableError' });
  assert.equal(pool.allocate('e', { preferred: '10.9.0.7' }).ip, '10.9.0.7');
  assert.throws(() => pool.allocate('f', { preferred: '10.9.0.129' }), { name: 'ConflictError' });
  const again = new IpPool(pool.toState());
  assert.equal(again.toState().range, '10.9.0.128/30');
  assert.deepEqual(again.toState().leases, pool.toState().leases);
});
