import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dnsLinkId, parseDnsLink } from './dns-links.js';

test('parseDnsLink() reads name and name:alias, slashes allowed, and refuses what aardvark cannot hold', () => {
  assert.deepEqual(parseDnsLink('db'), { target: 'db', alias: 'db' });
  assert.deepEqual(parseDnsLink('/db:/web-db'), { target: 'db', alias: 'web-db' });
  assert.throws(() => parseDnsLink('db:a:b'), /invalid link format: "db:a:b"/);
  assert.throws(() => parseDnsLink(':x'), /invalid link format/);
  assert.throws(() => parseDnsLink('db:bad alias'), /invalid link "db:bad alias"/);
  assert.equal(dnsLinkId('0123456789abcdef'.repeat(4), 2), 'berth-link-0123456789ab-2');
});
