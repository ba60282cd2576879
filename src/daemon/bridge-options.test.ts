import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultBridgeAddressing, parseBip } from '../network/index.js';
import { bridgeOptions, normalizeBoolFlags } from './bridge-options.js';

test('bridgeOptions() reads dockerd\'s flags and daemon.json keys, flags first', () => {
  const dflt = { fixedCidr: undefined, ipForward: true, ipMasq: true, iptables: true, defaultAddressPools: undefined };
  assert.deepEqual(bridgeOptions({}, {}), { icc: true, ip: '0.0.0.0', mtu: undefined, userlandProxy: true, ...dflt });
  assert.deepEqual(bridgeOptions({ icc: 'false', ip: '127.0.0.1' }, { mtu: 1400, 'userland-proxy': false }), { icc: false, ip: '127.0.0.1', mtu: 1400, userlandProxy: false, ...dflt });
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

test('bridgeOptions() reads --fixed-cidr, --ip-forward, --ip-masq, --iptables and --default-address-pools', () => {
  const o = bridgeOptions({ 'fixed-cidr': '10.9.8.0/25', 'ip-forward': 'false', 'ip-masq': 'false', 'default-address-pools': ['base=10.10.0.0/16,size=24', 'size=26,base=10.20.0.0/20'] }, {});
  assert.equal(o.fixedCidr, '10.9.8.0/25');
  assert.equal(o.ipForward, false);
  assert.equal(o.ipMasq, false);
  assert.equal(o.iptables, true);
  assert.deepEqual(o.defaultAddressPools, [{ base: '10.10.0.0/16', size: 24 }, { base: '10.20.0.0/20', size: 26 }]);
  assert.deepEqual(bridgeOptions({}, { 'default-address-pools': [{ base: '10.30.0.0/16', size: 24 }], iptables: false }).defaultAddressPools, [{ base: '10.30.0.0/16', size: 24 }]);
  // dockerd turns masquerading off with iptables, and refuses icc=false without iptables
  assert.equal(bridgeOptions({ iptables: 'false' }, {}).ipMasq, false);
  assert.throws(() => bridgeOptions({ iptables: 'false', icc: 'false' }, {}), /You specified --iptables=false with --icc=false/);
  assert.throws(() => bridgeOptions({ 'fixed-cidr': 'nope' }, {}), /invalid argument "nope" for "--fixed-cidr" flag/);
  assert.throws(() => bridgeOptions({ 'default-address-pools': ['base=10.10.0.0/16'] }, {}), /invalid pools size: 0/);
  assert.throws(() => bridgeOptions({ 'default-address-pools': ['base=10.10.0.0/16,size=8'] }, {}), /invalid pools size: 8/);
  assert.throws(() => bridgeOptions({ 'default-address-pools': ['base=10.10.0.0/16,size=x'] }, {}), /invalid size value: "x" \(must be integer\)/);
  assert.throws(() => bridgeOptions({ 'default-address-pools': ['base=10.10.0.0/16,color=24'] }, {}), /unexpected key 'color' in 'color=24'/);
  assert.throws(() => bridgeOptions({ 'default-address-pools': ['10.10.0.0/16'] }, {}), /invalid field '10.10.0.0\/16' must be a key=value pair/);
  assert.throws(() => bridgeOptions({}, { 'default-address-pools': 'base=1' }), /expected a list/);
  assert.deepEqual(normalizeBoolFlags(['--iptables', '--ip-masq', '--ip-forward']), ['--iptables=true', '--ip-masq=true', '--ip-forward=true']);
});

test('defaultBridgeAddressing() keeps --fixed-cidr inside --bip, or makes it the subnet without --bip', () => {
  assert.deepEqual(defaultBridgeAddressing({ bip: '10.9.0.1/16', fixedCidr: '10.9.8.0/24', defaultSubnet: '172.18.0.0/16' }), { subnet: '10.9.0.0/16', gateway: '10.9.0.1', fixedCidr: '10.9.8.0/24' });
  assert.deepEqual(defaultBridgeAddressing({ fixedCidr: '172.18.4.0/24', defaultSubnet: '172.18.0.0/16' }), { subnet: '172.18.0.0/16', fixedCidr: '172.18.4.0/24' });
  assert.deepEqual(defaultBridgeAddressing({ fixedCidr: '10.1.2.0/24', defaultSubnet: '172.18.0.0/16' }), { subnet: '10.1.2.0/24', fixedCidr: '10.1.2.0/24' });
  assert.throws(() => defaultBridgeAddressing({ bip: '10.9.0.1/16', fixedCidr: '10.8.0.0/24', defaultSubnet: '172.18.0.0/16' }), /invalid fixed-cidr "10.8.0.0\/24"/);
});
