import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLinkFileOf, linkFileName, linkFileText, parseDnsLink } from './dns-links.js';

test('parseDnsLink() reads name and name:alias, slashes allowed, and refuses what aardvark cannot hold', () => {
  assert.deepEqual(parseDnsLink('db'), { target: 'db', alias: 'db' });
  assert.deepEqual(parseDnsLink('/db:/web-db'), { target: 'db', alias: 'web-db' });
  assert.throws(() => parseDnsLink('db:a:b'), /invalid link format: "db:a:b"/);
  assert.throws(() => parseDnsLink(':x'), /invalid link format/);
  assert.throws(() => parseDnsLink('db:bad alias'), /invalid link "db:bad alias"/);
});

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);
// netavark's format: the gateway (and network servers), then id, IPv4s, IPv6s, names, the container's servers
const NET = `10.5.0.1 9.9.9.9\n${A} 10.5.0.2  app,${A.slice(0, 12)} 1.1.1.1\n${B} 10.5.0.3 fd00::3 db,${B.slice(0, 12)}\n${C} 10.5.0.4  other\n`;

test('linkFileText() gives the linker its own file: its line and one line per alias with the target\'s addresses and servers, listening on the linker\'s address', () => {
  const text = linkFileText(NET, { network: 'berth-net', linkerId: A, links: [{ alias: 'dbalias', targetId: B }, { alias: 'o', targetId: C }] });
  assert.equal(linkFileName('berth-net', A), `berth-net.lk-${A.slice(0, 12)}`);
  const id = `berth-net.lk-${A.slice(0, 12)}`;
  assert.equal(text, `10.5.0.2\n${id} 10.5.0.2  app,${A.slice(0, 12)} 1.1.1.1\n${id}.0 10.5.0.3 fd00::3 dbalias\n${id}.1 10.5.0.4  o\n`);
  assert.ok(isLinkFileOf('berth-net', id));
  assert.ok(!isLinkFileOf('berth-net', 'berth-net'));
  assert.ok(!isLinkFileOf('berth-net', 'berth-other.lk-x'));
});

test('linkFileText() has no file when the linker has no line or no target has one', () => {
  assert.equal(linkFileText(NET, { network: 'n', linkerId: 'f'.repeat(64), links: [{ alias: 'x', targetId: B }] }), undefined);
  assert.equal(linkFileText(NET, { network: 'n', linkerId: A, links: [{ alias: 'x', targetId: 'e'.repeat(64) }] }), undefined);
  assert.equal(linkFileText(NET, { network: 'n', linkerId: A, links: [] }), undefined);
  // a target missing from the file is left out, the others stay (indexes keep the link's position)
  assert.match(linkFileText(NET, { network: 'n', linkerId: A, links: [{ alias: 'x', targetId: 'e'.repeat(64) }, { alias: 'y', targetId: C }] })!, /\.1 10\.5\.0\.4  y\n$/);
});
