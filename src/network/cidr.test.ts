import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCidr, formatIpv4, macForIpv4, parseCidr, parseIpv4, prefixContains, prefixesOverlap } from './cidr.js';

test('parseIpv4() reads dotted quads and refuses anything else', () => {
  assert.equal(parseIpv4('172.18.0.1'), 0xac120001);
  assert.equal(formatIpv4(0xac120001), '172.18.0.1');
  for (const bad of ['1.2.3', '1.2.3.256', '01.2.3.4', 'a.b.c.d', '1.2.3.4.5', '']) assert.equal(parseIpv4(bad), undefined, bad);
});

test('parseCidr() refuses host bits and says which network was meant', () => {
  assert.deepEqual(parseCidr('10.1.0.0/16'), { network: 0x0a010000, prefixLen: 16 });
  assert.equal(formatCidr(parseCidr('0.0.0.0/0')), '0.0.0.0/0');
  assert.throws(() => parseCidr('10.1.0.1/16'), /host bits are set, expected 10\.1\.0\.0\/16/);
  assert.throws(() => parseCidr('10.1.0.0/33'), /expected an IPv4 CIDR/);
  assert.throws(() => parseCidr('10.1.0.0'), /expected an IPv4 CIDR/);
});

test('prefix helpers answer containment and overlap', () => {
  const a = parseCidr('172.18.0.0/16');
  assert.ok(prefixContains(a, parseIpv4('172.18.255.254')!));
  assert.ok(!prefixContains(a, parseIpv4('172.19.0.1')!));
  assert.ok(prefixesOverlap(a, parseCidr('172.18.5.0/24')));
  assert.ok(!prefixesOverlap(a, parseCidr('172.19.0.0/16')));
});

test('macForIpv4() gives Docker\'s 02:42 MAC derived from the address', () => {
  assert.equal(macForIpv4(parseIpv4('172.17.0.2')!), '02:42:ac:11:00:02');
});
