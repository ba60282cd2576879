import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { exec } from '../exec.js';
import { deleteLink, deleteLinkIn, isBridgePort, linkExists, wireVeth } from './links.js';
import { createNetns, deleteNetns } from './netns.js';
import { netlinkAddon } from './netlink.js';

const ok = { hostName: 'veth0123456789a', bridge: 'berth0', netns: 'berth-p1-ab', peerName: 'eth0', mac: '02:42:ac:12:00:02', cidr: '172.18.0.2/16', gateway: '172.18.0.1' };

test('wireVeth() refuses names and values that could break out of an ip batch line, before running anything', async () => {
  await assert.rejects(wireVeth({ ...ok, hostName: 'veth-much-too-long-name' }), { name: 'InvalidArgumentError' });
  await assert.rejects(wireVeth({ ...ok, bridge: 'br0\nlink del eth0' }), { name: 'InvalidArgumentError' });
  await assert.rejects(wireVeth({ ...ok, netns: 'ns name' }), { name: 'InvalidArgumentError' });
  await assert.rejects(wireVeth({ ...ok, cidr: '172.18.0.2/16\nroute flush all' }), { name: 'InvalidArgumentError' });
});

// CI builds the netlink addon (scripts/build-native.sh); without it wireVeth() runs ip(8).
test('the netlink addon is built', () => {
  assert.ok(netlinkAddon, 'dist/native/berth-netlink.node is missing: run sh scripts/build-native.sh');
});

test('wireVeth() wires a pair to a bridge and a namespace as ip(8) does, and deleteLinkIn()/deleteLink() take it away', async () => {
  const tag = randomBytes(3).toString('hex');
  const ns = `berth-lt-${tag}`;
  const bridge = `blt${tag}`;
  const w = { hostName: `vlt${tag}`, bridge, netns: ns, peerName: 'eth1', mac: '02:42:0a:58:00:05', cidr: '10.88.0.5/24', gateway: '10.88.0.1', mtu: 1400 };
  await createNetns(ns);
  try {
    await exec('ip', ['link', 'add', bridge, 'type', 'bridge']);
    await wireVeth(w);
    const [peer] = JSON.parse((await exec('ip', ['-n', ns, '-j', 'addr', 'show', 'dev', 'eth1'])).stdout) as { address: string; mtu: number; flags: string[]; addr_info: { family: string; local: string; prefixlen: number }[] }[];
    assert.equal(peer!.address, w.mac);
    assert.equal(peer!.mtu, 1400);
    assert.ok(peer!.flags.includes('UP'));
    assert.deepEqual(peer!.addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`), ['10.88.0.5/24']);
    assert.match((await exec('ip', ['-n', ns, 'route', 'show', 'default'])).stdout, /default via 10\.88\.0\.1 dev eth1/);
    assert.match((await exec('ip', ['-n', ns, 'link', 'show', 'lo'])).stdout, /<LOOPBACK,UP/);
    assert.equal(await isBridgePort(bridge, w.hostName), true);
    // a second pair with the same host name is refused, and the first stays
    await assert.rejects(wireVeth({ ...w, peerName: 'eth2' }), { name: 'InternalError' });
    assert.equal(await linkExists(w.hostName), true);
    // eth2 without a gateway: no second default route
    await wireVeth({ hostName: `vlu${tag}`, bridge, netns: ns, peerName: 'eth2', mac: '02:42:0a:58:00:06', cidr: '10.88.0.6/24' });
    assert.equal((await exec('ip', ['-n', ns, 'route', 'show', 'default'])).stdout.trim().split('\n').length, 1);
    await deleteLinkIn(ns, 'eth1');
    assert.equal(await linkExists(w.hostName), false, 'deleting the container end takes the host end');
    await deleteLinkIn(ns, 'eth1');
    await deleteLink(`vlu${tag}`);
    assert.equal(await linkExists(`vlu${tag}`), false);
    await deleteLink(`vlu${tag}`);
    await assert.rejects(wireVeth({ ...w, netns: `berth-lt-none${tag}` }), { name: 'InternalError' });
    assert.equal(await linkExists(w.hostName), false, 'nothing made for a namespace that does not exist');
  } finally {
    for (const l of [w.hostName, `vlu${tag}`, bridge]) await exec('ip', ['link', 'delete', l], { allowFailure: true });
    await deleteNetns(ns);
  }
});
