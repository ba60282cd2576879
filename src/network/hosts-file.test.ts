import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHostsFile, canonicalIp, parseExtraHost } from './hosts-file.js';

const DEFAULTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::\tip6-localnet',
  'ff00::\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

test('buildHostsFile() writes Docker\'s defaults then the container\'s own entry', () => {
  assert.equal(buildHostsFile({ hostname: 'f1e2d3c4b5a6', ip: '172.18.0.2' }), [...DEFAULTS, '172.18.0.2\tf1e2d3c4b5a6', ''].join('\n'));
});

test('buildHostsFile() without an address (none network) has only the defaults', () => {
  assert.equal(buildHostsFile({ hostname: 'box' }), [...DEFAULTS, ''].join('\n'));
});

test('buildHostsFile() puts extra hosts before the own entry and lists FQDN then short name', () => {
  const text = buildHostsFile({
    hostname: 'web', domainname: 'example.com', ip: '172.18.0.3',
    extraHosts: ['db:10.0.0.5', 'v6:2001:db8:0::1', 'br:[::2]', 'gw:host-gateway'], hostGateway: '172.18.0.1',
  });
  assert.deepEqual(text.split('\n').slice(6), [
    '10.0.0.5\tdb', '2001:db8::1\tv6', '::2\tbr', '172.18.0.1\tgw', '172.18.0.3\tweb.example.com web', '',
  ]);
});

test('buildHostsFile() drops IPv6 lines when the namespace has no IPv6', () => {
  const text = buildHostsFile({ hostname: 'a.b', ip: '10.0.0.2', extraHosts: ['x:::1', 'y:1.2.3.4'], ipv6: false });
  assert.equal(text, '127.0.0.1\tlocalhost\n1.2.3.4\ty\n10.0.0.2\ta.b a\n');
});

test('parseExtraHost() refuses entries without a valid address, in Docker\'s words', () => {
  assert.throws(() => parseExtraHost('db:not-an-ip'), { name: 'InvalidArgumentError', message: 'invalid IP address in add-host: "not-an-ip"' });
  assert.throws(() => parseExtraHost('db'), { message: 'invalid IP address in add-host: ""' });
  assert.throws(() => parseExtraHost(':1.2.3.4'), { message: 'bad format for add-host: ":1.2.3.4"' });
});

test('canonicalIp() compresses IPv6 as Go prints it', () => {
  assert.equal(canonicalIp('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  assert.equal(canonicalIp('FE00::0'), 'fe00::');
  assert.equal(canonicalIp('1.2.3.4'), '1.2.3.4');
  assert.equal(canonicalIp('1.2.3'), undefined);
});
