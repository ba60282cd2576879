import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIpv6, parseCidr6, parseIpv6, prefix6Contains, prefixes6Overlap } from './cidr6.js';

test('parseIpv6() and formatIpv6() round-trip to the canonical form', () => {
  for (const [s, canon] of [['fd00:1::2', 'fd00:1::2'], ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'], ['::', '::'], ['::1', '::1']]) {
    assert.equal(formatIpv6(parseIpv6(s!)!), canon);
  }
  assert.equal(parseIpv6('10.0.0.1'), undefined);
  assert.equal(parseIpv6('fd00::g'), undefined);
});

test('parseCidr6() refuses host bits; containment and overlap', () => {
  const p = parseCidr6('fd00:1::/64');
  assert.ok(prefix6Contains(p, parseIpv6('fd00:1::ffff')!));
  assert.ok(!prefix6Contains(p, parseIpv6('fd00:2::1')!));
  assert.ok(prefixes6Overlap(p, parseCidr6('fd00::/16')));
  assert.ok(!prefixes6Overlap(p, parseCidr6('fd00:2::/64')));
  assert.throws(() => parseCidr6('fd00:1::1/64'), /host bits are set/);
  assert.throws(() => parseCidr6('fd00:1::/129'), /Cannot parse subnet/);
});
