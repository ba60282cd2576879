import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBip } from '../network/index.js';
import { bridgeOptions, normalizeBoolFlags } from './bridge-options.js';

test('bridgeOptions() reads dockerd\'s flags and daemon.json keys, flags first', () => {
  assert.deepEqual(bridgeOptions({}, {}), { icc: true, ip: '0.0.0.0', mtu: undefined, userlandProxy: true });
  assert.deepEqual(bridgeOptions({ icc: 'false', ip: '127.0.0.1' }, { mtu: 1400, 'userland-proxy': false }), { icc: false, ip: '127.0.0.1', mtu: 1400, userlandProxy: false });
  assert.throws(() => bridgeOptions({ icc: 'maybe' }, {}), { message: 'invalid argument "maybe" for "--icc" flag: strconv.ParseBool: parsing "maybe": invalid syntax' });
  assert.throws(() => bridgeOptions({ ip: 'nope' }, {}), /invalid argument "nope" for "--ip" flag/);
  assert.throws(() => bridgeOptions({ mtu: '20' }, {}), /"--mtu"/);
  assert.deepEqual(normalizeBoolFlags(['--icc', '--icc=false', '--ip', '1.2.3.4']), ['--icc=true', '--icc=false', '--ip', '1.2.3.4']);
});

test('parseBip() takes the bridge address with its prefix, or a subnet', () => {
  assert.deepEqual(parseBip('172.18.0.1/16'), { subnet: '172.18.0.0/16', gateway: '172.18.0.1' });
  assert.deepEqual(parseBip('10.9.8.0/24'), { subnet: '10.9.8.0/24' });
  assert.throws(() => parseBip('10.9.8.1'), /invalid bip "10\.9\.8\.1"/);
});
