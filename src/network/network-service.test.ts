import { test } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keeperName } from './bridge-driver.js';
import { dnatChainName } from './dnat-chains.js';
import type { NetavarkOptions } from './netavark.js';
import { NetworkService, type NetworkServiceOptions } from './network-service.js';
import { RecordingHost } from './recording-host.js';

const CID = 'c'.repeat(64);
const CID2 = 'd'.repeat(64);

async function withService(
  fn: (ctx: { svc: NetworkService; host: RecordingHost; dir: string; reopen: () => Promise<NetworkService> }) => Promise<void>,
  extra: Partial<NetworkServiceOptions> = {},
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-net-'));
  const host = new RecordingHost();
  const opts: NetworkServiceOptions = {
    root: join(dir, 'networks'), execRoot: join(dir, 'run'), host,
    bridge: { name: 'bt0', subnet: '10.44.0.0/24' },
    resolvConfPath: join(dir, 'resolv.conf'), hostsPath: join(dir, 'hosts'), systemdResolvConfPath: join(dir, 'systemd-resolv.conf'),
    ...extra,
  };
  try {
    const svc = await NetworkService.open(opts);
    await fn({ svc, host, dir, reopen: () => NetworkService.open(opts) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('list() holds Docker\'s three predefined networks with ids that survive a restart', async () => {
  await withService(async ({ svc, reopen }) => {
    const nets = svc.list();
    assert.deepEqual(nets.map((n) => [n.name, n.driver, n.scope]), [['bridge', 'bridge', 'local'], ['host', 'host', 'local'], ['none', 'null', 'local']]);
    for (const n of nets) assert.match(n.id, /^[0-9a-f]{64}$/);
    const bridge = svc.get('bridge');
    assert.deepEqual(bridge.ipam, { driver: 'default', config: [{ subnet: '10.44.0.0/24', gateway: '10.44.0.1' }] });
    assert.equal(bridge.options['com.docker.network.bridge.name'], 'bt0');
    const again = await reopen();
    assert.deepEqual(again.list(), nets);
  });
});

test('get() finds by id, name or unique id prefix and says "network x not found" otherwise', async () => {
  await withService(async ({ svc }) => {
    const host = svc.get('host');
    assert.equal(svc.get(host.id).name, 'host');
    assert.equal(svc.get(host.id.slice(0, 12)).name, 'host');
    assert.throws(() => svc.get('nope'), { name: 'NotFoundError', message: 'network nope not found' });
  });
});

test('validateMode() maps Docker\'s network modes', async () => {
  await withService(async ({ svc }) => {
    assert.equal(svc.validateMode('default'), 'bridge');
    assert.equal(svc.validateMode('bridge'), 'bridge');
    assert.equal(svc.validateMode('host'), 'host');
    assert.equal(svc.validateMode('none'), 'none');
    assert.equal(svc.validateMode(svc.get('none').id), 'none');
    assert.throws(() => svc.validateMode('mynet'), { name: 'NotFoundError', message: 'network mynet not found' });
    assert.equal(svc.validateMode('container:abc'), 'container');
    assert.throws(() => svc.validateMode('container:'), { name: 'InvalidArgumentError' });
  });
});

test('attach() in bridge mode creates a namespace, leases an address and hands netavark the endpoint', async () => {
  await withService(async ({ svc, host }) => {
    const a = await svc.attach({ containerId: CID, containerName: '/web', mode: 'bridge' });
    assert.equal(a.mode, 'bridge');
    assert.equal(a.ipAddress, '10.44.0.2');
    assert.equal(a.ipPrefixLen, 24);
    assert.equal(a.gateway, '10.44.0.1');
    assert.equal(a.macAddress, '02:42:0a:2c:00:02');
    assert.equal(a.bridge, 'bt0');
    assert.equal(a.networkId, svc.get('bridge').id);
    assert.match(a.endpointId, /^[0-9a-f]{64}$/);
    assert.match(a.netnsPath!, /^\/run\/netns\/berth-cccccccccccc-[0-9a-f]{6}$/);
    assert.deepEqual(host.ops(), ['createNetns', 'netavark setup', 'addBridgePlaceholder']);
    const setup = host.calls[1]!.args;
    assert.deepEqual(setup.slice(0, 7), ['/usr/lib/podman/netavark', '--aardvark-binary', '/usr/lib/podman/aardvark-dns', '--config', setup[4], 'setup', a.netnsPath]);
    const input = setup[7] as NetavarkOptions;
    // netavark knows the network by a per-daemon name: its firewall chains are named after it
    const name = `berth-${a.networkId.slice(0, 12)}`;
    assert.deepEqual(input, {
      container_id: CID,
      container_name: 'web',
      networks: { [name]: { interface_name: 'eth0', static_ips: ['10.44.0.2'], static_mac: '02:42:0a:2c:00:02' } },
      network_info: {
        [name]: {
          dns_enabled: false, driver: 'bridge', id: a.networkId, internal: false, ipv6_enabled: false, name,
          network_interface: 'bt0', options: { mtu: '1500' }, subnets: [{ subnet: '10.44.0.0/24', gateway: '10.44.0.1' }],
        },
      },
    });
    assert.deepEqual(host.calls[2]!.args, [{ name: keeperName('bt0'), bridge: 'bt0' }]);
    assert.deepEqual(svc.attachment(CID), a);
  });
});

test('attach() gives parallel containers distinct addresses', async () => {
  await withService(async ({ svc }) => {
    const ids = Array.from({ length: 8 }, (_, i) => String(i).repeat(64));
    const all = await Promise.all(ids.map((containerId) => svc.attach({ containerId, containerName: containerId, mode: 'bridge' })));
    assert.equal(new Set(all.map((a) => a.ipAddress)).size, 8);
    assert.equal(new Set(all.map((a) => a.netnsPath)).size, 8);
  });
});

test('attach() in none mode makes a loopback-only namespace; host mode makes none', async () => {
  await withService(async ({ svc, host }) => {
    const none = await svc.attach({ containerId: CID, containerName: 'a', mode: 'none' });
    assert.equal(none.ipAddress, '');
    assert.equal(none.networkId, svc.get('none').id);
    assert.ok(none.netnsPath);
    assert.deepEqual(host.calls.map((c) => [c.op, c.args[1]]), [['createNetns', { loopbackUp: true }]]);
    const h = await svc.attach({ containerId: CID2, containerName: 'b', mode: 'host' });
    assert.equal(h.netnsPath, undefined);
    assert.equal(h.networkId, svc.get('host').id);
    assert.equal(host.calls.length, 1);
  });
});

test('attach() of an attached container returns its endpoint; another mode is a conflict', async () => {
  await withService(async ({ svc, host }) => {
    const a = await svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge' });
    assert.deepEqual(await svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge' }), a);
    assert.equal(host.ops().filter((o) => o === 'netavark setup').length, 1);
    await assert.rejects(svc.attach({ containerId: CID, containerName: 'a', mode: 'none' }), { name: 'ConflictError' });
  });
});

test('detach() tears down, frees the address and the namespace, and is idempotent', async () => {
  await withService(async ({ svc, host }) => {
    const a = await svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge' });
    await svc.detach(CID);
    // on the pinned bridge netavark's teardown would only delete the veth, which the namespace's deletion takes along
    assert.deepEqual(host.ops().slice(-1), ['deleteNetns']);
    assert.ok(!host.ops().includes('netavark teardown'));
    assert.equal(host.calls.at(-1)!.args[0], a.netnsPath!.split('/').pop());
    assert.equal(host.netns.size, 0);
    assert.equal(svc.attachment(CID), undefined);
    await svc.detach(CID);
    assert.equal(host.ops().filter((o) => o === 'deleteNetns').length, 1);
    const b = await svc.attach({ containerId: CID2, containerName: 'b', mode: 'bridge' });
    assert.equal(b.ipAddress, a.ipAddress);
  });
});

test('after netavark has set the bridge up, berth wires later endpoints itself, and deleting their namespace removes the veth', async () => {
  await withService(async ({ svc, host, reopen }) => {
    await svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge' });
    const b = await svc.attach({ containerId: CID2, containerName: 'b', mode: 'bridge' });
    assert.equal(host.ops().filter((o) => o === 'netavark setup').length, 1);
    const wiring = host.calls.find((c) => c.op === 'wireVeth')!.args[0];
    assert.deepEqual(wiring, {
      hostName: `veth${CID2.slice(0, 11)}`, bridge: 'bt0', netns: b.netnsPath!.split('/').pop(), peerName: 'eth0',
      mac: b.macAddress, cidr: `${b.ipAddress}/24`, gateway: '10.44.0.1', mtu: 1500,
    });
    // A new daemon knows from the endpoint's record how it was wired.
    const again = await reopen();
    await again.detach(CID2);
    // Deleting the namespace takes the pair with it.
    assert.deepEqual(host.ops().slice(-2), ['wireVeth', 'deleteNetns']);
    assert.equal(host.ops().filter((o) => o === 'netavark teardown').length, 0);
  });
});

test('a failed direct wiring falls back to netavark, which then checks the network again', async () => {
  await withService(async ({ svc, host }) => {
    await svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge' });
    host.failNext.add('wireVeth');
    const b = await svc.attach({ containerId: CID2, containerName: 'b', mode: 'bridge' });
    assert.equal(b.ipAddress, '10.44.0.3');
    assert.deepEqual(host.ops().slice(-3), ['wireVeth', 'deleteLink', 'netavark setup']);
  });
});

test('a failed netavark setup rolls everything back and surfaces netavark\'s error', async () => {
  await withService(async ({ svc, host, dir }) => {
    host.failNext.add('netavark setup');
    await assert.rejects(svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge' }), { name: 'InternalError', message: 'netavark setup failed: simulated failure' });
    assert.equal(host.netns.size, 0);
    assert.equal(svc.attachment(CID), undefined);
    assert.deepEqual(await readdir(join(dir, 'networks', 'endpoints')), []);
    assert.equal((await svc.attach({ containerId: CID2, containerName: 'b', mode: 'bridge' })).ipAddress, '10.44.0.2');
  });
});

test('a failed namespace creation releases the address', async () => {
  await withService(async ({ svc, host }) => {
    host.failNext.add('createNetns');
    await assert.rejects(svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge' }), /simulated createNetns failure/);
    assert.equal((await svc.attach({ containerId: CID2, containerName: 'b', mode: 'bridge' })).ipAddress, '10.44.0.2');
  });
});

test('beginAttach() resolves with the namespace before the endpoint is wired', async () => {
  await withService(async ({ svc, host }) => {
    const pending = await svc.beginAttach({ containerId: CID, containerName: 'a', mode: 'bridge' });
    assert.ok(pending.netnsPath && host.netns.size === 1);
    assert.equal(pending.planned.ipAddress, '10.44.0.2');
    const a = await pending.done;
    assert.equal(a.netnsPath, pending.netnsPath);
    assert.deepEqual(a, pending.planned);
  });
});

test('attachment() and leases survive a restart, and detach still undoes the endpoint', async () => {
  await withService(async ({ svc, host, reopen }) => {
    const a = await svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge' });
    const again = await reopen();
    assert.deepEqual(again.attachment(CID), a);
    assert.equal((await again.attach({ containerId: CID2, containerName: 'b', mode: 'bridge' })).ipAddress, '10.44.0.3');
    await again.detach(CID);
    assert.equal(again.attachment(CID), undefined);
    assert.ok(!host.netns.has(a.netnsPath!.split('/').pop()!));
  });
});

test('open() rolls back an attach a crash interrupted and frees orphaned leases', async () => {
  await withService(async ({ svc, host, dir, reopen }) => {
    const a = await svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge' });
    // Simulate kill -9 between the 'creating' record and the end of netavark setup.
    const file = join(dir, 'networks', 'endpoints', `${CID}.json`);
    const rec = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...rec, state: 'creating' }));
    // And a lease whose record never got written.
    const ipamFile = join(dir, 'networks', 'ipam', `${a.networkId}.json`);
    const pool = JSON.parse(await readFile(ipamFile, 'utf8'));
    pool.leases['10.44.0.9'] = 'e'.repeat(64);
    await writeFile(ipamFile, JSON.stringify(pool));

    const again = await reopen();
    assert.equal(again.attachment(CID), undefined);
    assert.equal(host.netns.size, 0);
    assert.ok(host.ops().includes('netavark teardown'));
    assert.deepEqual(JSON.parse(await readFile(ipamFile, 'utf8')).leases, {});
  });
});

test('reclaim() undoes the endpoints of containers that do not run and keeps the others', async () => {
  await withService(async ({ svc, host, dir }) => {
    const kept = await svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge' });
    const gone = await svc.attach({ containerId: CID2, containerName: 'b', mode: 'bridge' });
    await svc.reclaim(new Set([CID]));
    assert.deepEqual(svc.attachment(CID), kept);
    assert.equal(svc.attachment(CID2), undefined);
    assert.ok(!host.netns.has(gone.netnsPath!.split('/').pop()!), 'namespace of the stopped container');
    const leases = JSON.parse(await readFile(join(dir, 'networks', 'ipam', `${kept.networkId}.json`), 'utf8')).leases;
    assert.deepEqual(leases, { [kept.ipAddress]: CID });
    assert.deepEqual(await readdir(join(dir, 'networks', 'endpoints')), [`${CID}.json`]);
  });
});

test('open() deletes a veth pair whose wiring a crash cut short, though its namespace is still there', async () => {
  await withService(async ({ svc, host, dir, reopen }) => {
    await svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge' });
    // the bridge is warm now: berth wires the second endpoint's veth itself
    await svc.attach({ containerId: CID2, containerName: 'b', mode: 'bridge' });
    const veth = `veth${CID2.slice(0, 11)}`;
    assert.ok(host.links.has(veth));
    const file = join(dir, 'networks', 'endpoints', `${CID2}.json`);
    await writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(file, 'utf8')), state: 'creating' }));
    await reopen();
    assert.ok(!host.links.has(veth), 'the half-wired veth stayed on the host');
  });
});

test('detach() after a reboot (namespace gone) skips netavark and still frees the address', async () => {
  await withService(async ({ svc, host }) => {
    await svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge' });
    host.netns.clear();
    await svc.detach(CID);
    assert.ok(!host.ops().includes('netavark teardown'));
    assert.equal((await svc.attach({ containerId: CID2, containerName: 'b', mode: 'bridge' })).ipAddress, '10.44.0.2');
  });
});

test('removeDefaultBridge() unpins and flushes through a throwaway endpoint, and refuses while in use', async () => {
  await withService(async ({ svc, host, dir }) => {
    await svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge' });
    await assert.rejects(svc.removeDefaultBridge(), { name: 'ConflictError', message: /has active endpoints/ });
    await svc.detach(CID);
    host.calls.length = 0;
    await svc.removeDefaultBridge();
    assert.deepEqual(host.ops(), ['createNetns', 'deleteLink', 'netavark setup', 'netavark teardown', 'deleteNetns', 'iptables', 'iptables']);
    assert.equal(host.netns.size, 0);
    // the throwaway namespace carries the daemon's pool prefix: the next open reclaims it after a crash
    const prefix = `berth-p${createHash('sha256').update(join(dir, 'networks')).digest('hex').slice(0, 8)}-`;
    assert.ok(String(host.calls[0]!.args[0]).startsWith(prefix), String(host.calls[0]!.args[0]));
  });
});

test('teardown() removes the bridge berth made, with its keeper and rules, and forgets it', async () => {
  await withService(async ({ svc, host, dir, reopen }) => {
    await svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge' });
    const installed = JSON.parse(await readFile(join(dir, 'networks', 'installed.json'), 'utf8'));
    assert.deepEqual(installed.bridges, [{ networkId: svc.get('bridge').id, bridge: 'bt0', subnet: '10.44.0.0/24', madeByBerth: true }]);
    await assert.rejects(svc.teardown(), { name: 'ConflictError', message: /1 container\(s\) still have endpoints/ });
    await svc.detach(CID);
    const again = await reopen();
    host.calls.length = 0;
    assert.deepEqual(await again.teardown(), { removed: ['bt0'], kept: [] });
    // iptables-save: the published ports' chains, which go when this daemon made them; then netavark's emptied DNAT chain
    assert.deepEqual(host.ops(), ['iptables-save', 'createNetns', 'deleteLink', 'netavark setup', 'netavark teardown', 'deleteNetns', 'iptables', 'iptables']);
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'networks', 'installed.json'), 'utf8')).bridges, []);
  });
});

test('teardown() leaves a bridge that existed before berth used it, and its rules', async () => {
  await withService(async ({ svc, host }) => {
    host.links.add('bt0');
    await svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge' });
    await svc.detach(CID);
    host.calls.length = 0;
    assert.deepEqual(await svc.teardown(), { removed: [], kept: ['bt0'] });
    assert.deepEqual(host.ops(), ['iptables-save']);
  });
});

test('hostsFile() follows Docker, copying the host file for host mode', async () => {
  await withService(async ({ svc, dir }) => {
    await writeFile(join(dir, 'hosts'), '127.0.0.1 localhost myhost\n');
    assert.equal(svc.hostsFile({ hostname: 'h', mode: 'host' }), '127.0.0.1 localhost myhost\n');
    assert.match(svc.hostsFile({ hostname: 'h', mode: 'host', extraHosts: ['x:1.2.3.4'] }), /1\.2\.3\.4\tx\n$/);
    assert.match(svc.hostsFile({ hostname: 'abc', ip: '10.44.0.2', extraHosts: ['gw:host-gateway'] }), /10\.44\.0\.1\tgw\n10\.44\.0\.2\tabc\n$/);
  });
});

test('resolvConf() drops loopback nameservers, falls back to Google DNS, and reads systemd-resolved\'s list', async () => {
  await withService(async ({ svc, dir }) => {
    await writeFile(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\nnameserver 10.1.1.1\n');
    assert.match(svc.resolvConf(), /^# Generated by berth\.\n\nnameserver 10\.1\.1\.1\n\n/);
    await writeFile(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
    assert.match(svc.resolvConf(), /\nnameserver 8\.8\.8\.8\nnameserver 8\.8\.4\.4\n/);
    assert.match(svc.resolvConf({ mode: 'host' }), /\nnameserver 127\.0\.0\.1\n/);
    assert.match(svc.resolvConf({ dns: ['9.9.9.9'], dnsSearch: ['corp'] }), /\nnameserver 9\.9\.9\.9\nsearch corp\n[\s\S]*# Overrides: \[nameservers search\]\n$/);
    await writeFile(join(dir, 'resolv.conf'), 'nameserver 127.0.0.53\n');
    await writeFile(join(dir, 'systemd-resolv.conf'), 'nameserver 192.168.1.1\n');
    assert.match(svc.resolvConf(), /\nnameserver 192\.168\.1\.1\n[\s\S]*systemd-resolv\.conf' \(legacy\)/);
  });
});

test('open() refuses bridge names longer than IFNAMSIZ allows', async () => {
  await assert.rejects(withService(async () => {}, { bridge: { name: 'a-very-long-bridge0' } }), { name: 'InvalidArgumentError' });
});

test('a bridge attach takes a namespace made ahead; close() deletes the spares', async () => {
  await withService(async ({ svc, host }) => {
    // open() starts filling the pool in the background: wait for its two namespaces
    for (let i = 0; i < 100 && host.ops().filter((o) => o === 'createNetns').length < 2; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(host.ops(), ['createNetns', 'createNetns']);
    const a = await svc.attach({ containerId: 'a'.repeat(64), containerName: 'pooled', mode: 'bridge' });
    assert.match(a.netnsPath!, /^\/run\/netns\/berth-p[0-9a-f]{8}-[0-9a-f]{8}$/);
    assert.equal(a.netnsPath, `/run/netns/${String(host.calls[0]!.args[0])}`, 'the attach used the first spare');
    assert.ok(host.ops().includes('netavark setup'));
    await svc.close();
    assert.equal(host.ops().filter((o) => o === 'deleteNetns').length, 2, 'the used spare was replaced, and both spares go: ' + host.ops().join());
  }, { netnsPool: 2 });
});

test('create() persists a user network with its pool and events; remove() refuses the predefined ones and busy networks', async () => {
  const events: unknown[] = [];
  await withService(async ({ svc, reopen }) => {
    const net = await svc.create({ name: 'app', ipam: { config: [{ subnet: '10.50.0.0/24' }] } });
    assert.deepEqual(svc.get('app'), net);
    assert.deepEqual((await reopen()).get('app'), net);
    await assert.rejects(svc.remove('bridge'), { name: 'ForbiddenError', message: 'bridge is a pre-defined network and cannot be removed' });
    await svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge', network: 'app' });
    await assert.rejects(svc.remove('app'), { message: `error while removing network: network app id ${net.id} has active endpoints` });
    assert.deepEqual(await svc.prune(), []);
    await svc.detach(CID);
    assert.deepEqual(await svc.prune(), ['app']);
    assert.throws(() => svc.get('app'), { name: 'NotFoundError' });
    assert.deepEqual(events.map((e) => (e as { action: string }).action), ['create', 'connect', 'disconnect', 'destroy']);
  }, { events: { publish: (e) => events.push(e) } });
});

test('an endpoint on a user network goes through netavark with DNS: the name, short id and aliases', async () => {
  await withService(async ({ svc, host }) => {
    const net = await svc.create({ name: 'app', ipam: { config: [{ subnet: '10.50.0.0/24' }] } });
    const a = await svc.attach({ containerId: CID, containerName: '/web', mode: 'bridge', network: 'app', config: { aliases: ['www'], ipv4Address: '10.50.0.9' }, dnsServers: ['9.9.9.9'] });
    assert.equal(a.ipAddress, '10.50.0.9');
    assert.deepEqual(a.dnsNames, ['web', CID.slice(0, 12), 'www']);
    const input = host.calls.find((c) => c.op === 'netavark setup')!.args[7] as NetavarkOptions;
    const name = `berth-${net.id.slice(0, 12)}`;
    assert.deepEqual(input.networks[name]!.aliases, ['web', CID.slice(0, 12), 'www']);
    assert.equal(input.network_info[name]!.dns_enabled, true);
    assert.deepEqual(input.dns_servers, ['9.9.9.9']);
    // a second endpoint is wired through netavark too (aardvark learns names only from it)
    await svc.attach({ containerId: CID2, containerName: 'b', mode: 'bridge', network: 'app' });
    assert.equal(host.ops().filter((o) => o === 'wireVeth').length, 0);
    assert.match(svc.resolvConf({ containerId: CID }), /^nameserver 10\.50\.0\.1$/m);
    await assert.rejects(svc.attach({ containerId: 'e'.repeat(64), containerName: 'c', mode: 'bridge', config: { aliases: ['x'] } }), /network-scoped alias is supported only for containers in user defined networks/);
  });
});

test('connect() adds eth1 in the same namespace; disconnect() removes it; the first network can go and come back', async () => {
  await withService(async ({ svc, host }) => {
    await svc.create({ name: 'app', ipam: { config: [{ subnet: '10.50.0.0/24' }] } });
    const first = await svc.attach({ containerId: CID, containerName: 'web', mode: 'bridge' });
    const second = await svc.connect({ containerId: CID, containerName: 'web', network: 'app', config: { aliases: ['api'] } });
    assert.equal(second.interfaceName, 'eth1');
    assert.equal(second.netnsPath, first.netnsPath);
    assert.deepEqual(svc.attachments(CID).map((e) => [e.networkName, e.attachment.interfaceName]), [['bridge', 'eth0'], ['app', 'eth1']]);
    assert.deepEqual(svc.endpointsOf(svc.get('app').id).map((e) => e.containerId), [CID]);
    await assert.rejects(svc.connect({ containerId: CID, containerName: 'web', network: 'app' }), { name: 'ForbiddenError', message: 'endpoint with name web already exists in network app' });
    await svc.disconnect({ containerId: CID, network: 'bridge' });
    assert.deepEqual(svc.attachments(CID).map((e) => e.networkName), ['app']);
    assert.ok(host.netns.size >= 1, 'the namespace stays');
    await assert.rejects(svc.disconnect({ containerId: CID, network: 'bridge' }), { name: 'ForbiddenError' });
    await svc.disconnect({ containerId: CID, network: 'bridge', force: true });
    const back = await svc.connect({ containerId: CID, containerName: 'web', network: 'bridge' });
    assert.equal(back.interfaceName, 'eth0');
    await svc.detach(CID);
    assert.deepEqual(svc.attachments(CID), []);
    assert.equal(svc.get('app') && svc.endpointsOf(svc.get('app').id).length, 0);
    assert.equal(host.netns.size, 0);
    const again = await svc.attach({ containerId: CID2, containerName: 'b', mode: 'bridge', network: 'app' });
    assert.equal(again.ipAddress, '10.50.0.2', 'the address came back to the pool');
  });
});

test('a crash in the middle of disconnect(): the restart finishes the removal (no endpoint without its interface, the address free)', async () => {
  await withService(async ({ svc, host, reopen }) => {
    await svc.create({ name: 'app', ipam: { config: [{ subnet: '10.50.0.0/24' }] } });
    await svc.attach({ containerId: CID, containerName: 'web', mode: 'bridge' });
    await svc.connect({ containerId: CID, containerName: 'web', network: 'app' });
    // the teardown never finishes: the daemon dies during it
    const never = (): Promise<never> => new Promise(() => {});
    const real = { exec: host.exec, deleteLink: host.deleteLink, deleteLinkIn: host.deleteLinkIn };
    host.exec = (file, args, opts) => (args.includes('teardown') ? never() : real.exec.call(host, file, args, opts));
    host.deleteLink = never;
    host.deleteLinkIn = never;
    void svc.disconnect({ containerId: CID, network: 'app' });
    for (let i = 0; i < 100 && svc.attachments(CID).length > 1; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(svc.attachments(CID).map((e) => e.networkName), ['bridge'], 'no longer listed once the removal began');
    Object.assign(host, real);
    const svc2 = await reopen();
    await svc2.reclaim(new Set([CID]));
    assert.deepEqual(svc2.attachments(CID).map((e) => e.networkName), ['bridge']);
    assert.deepEqual(svc2.endpointsOf(svc2.get('app').id), []);
    const next = await svc2.attach({ containerId: CID2, containerName: 'b', mode: 'bridge', network: 'app' });
    assert.equal(next.ipAddress, '10.50.0.2', 'the address went back to the pool');
  });
});

test('attach() with more networks connects them before done; a restart keeps every lease once', async () => {
  await withService(async ({ svc, reopen }) => {
    await svc.create({ name: 'app', ipam: { config: [{ subnet: '10.50.0.0/24' }] } });
    await svc.create({ name: 'db', ipam: { config: [{ subnet: '10.51.0.0/24' }] } });
    await svc.attach({ containerId: CID, containerName: 'web', mode: 'bridge', network: 'app', more: [{ network: 'db' }] });
    assert.deepEqual(svc.attachments(CID).map((e) => `${e.networkName}:${e.attachment.interfaceName}:${e.attachment.ipAddress}`), ['app:eth0:10.50.0.2', 'db:eth1:10.51.0.2']);
    const svc2 = await reopen();
    await svc2.reclaim(new Set([CID]));
    assert.deepEqual(svc2.attachments(CID).map((e) => e.attachment.ipAddress), ['10.50.0.2', '10.51.0.2']);
    const other = await svc2.attach({ containerId: CID2, containerName: 'b', mode: 'bridge', network: 'db' });
    assert.equal(other.ipAddress, '10.51.0.3');
    await svc2.reclaim(new Set([CID2]));
    assert.deepEqual(svc2.attachments(CID), []);
  });
});

test('on a warm DNS network berth wires later endpoints itself and tells aardvark-dns their names, as netavark would', async () => {
  await withService(async ({ svc, host, dir }) => {
    const net = await svc.create({ name: 'app', ipam: { config: [{ subnet: '10.50.0.0/24' }] } });
    const name = `berth-${net.id.slice(0, 12)}`;
    await svc.attach({ containerId: CID, containerName: 'web', mode: 'bridge', network: 'app' });
    // what netavark leaves once it has started aardvark for the network
    const adir = join(dir, 'run', 'netavark', 'aardvark-dns');
    await mkdir(adir, { recursive: true });
    await writeFile(join(adir, name), `10.50.0.1\n${CID} 10.50.0.2  web,web,${CID.slice(0, 12)}\n`);
    await writeFile(join(adir, 'aardvark.pid'), '4242');
    host.pids.add(4242);
    await svc.attach({ containerId: CID2, containerName: 'db', mode: 'bridge', network: 'app', config: { aliases: ['pg'] } });
    assert.equal(host.ops().filter((o) => o === 'netavark setup').length, 1, 'the second endpoint skipped netavark');
    assert.equal(host.ops().filter((o) => o === 'wireVeth').length, 1);
    assert.equal(await readFile(join(adir, name), 'utf8'),
      `10.50.0.1\n${CID} 10.50.0.2  web,web,${CID.slice(0, 12)}\n${CID2} 10.50.0.3  db,db,${CID2.slice(0, 12)},pg\n`);
    assert.deepEqual(host.calls.filter((c) => c.op === 'signalProcess').map((c) => c.args), [[4242, 'SIGHUP']]);
    // a later interface gets no default route; its veth end is named after the interface
    await svc.create({ name: 'db', ipam: { config: [{ subnet: '10.51.0.0/24' }] } });
    await svc.detach(CID2);
    assert.equal(await readFile(join(adir, name), 'utf8'), `10.50.0.1\n${CID} 10.50.0.2  web,web,${CID.slice(0, 12)}\n`);
    const bridgeNet = svc.get('bridge');
    await svc.attach({ containerId: CID2, containerName: 'db', mode: 'bridge' });
    await svc.attach({ containerId: 'f'.repeat(64), containerName: 'x', mode: 'bridge' });
    await svc.connect({ containerId: 'f'.repeat(64), containerName: 'x', network: 'app' });
    const wiring = host.calls.filter((c) => c.op === 'wireVeth').map((c) => c.args[0] as { hostName: string; peerName: string; gateway?: string });
    const eth1 = wiring.find((w) => w.peerName === 'eth1')!;
    assert.equal(eth1.hostName, `vb1${'f'.repeat(12)}`);
    assert.equal(eth1.gateway, undefined);
    assert.ok(bridgeNet);
  });
});

test('published ports are berth\'s DNAT rules: netavark gets none, a warm network wires the veth directly, and releasePorts() frees the port before detach()', async () => {
  const probe = async (): Promise<boolean> => true;
  await withService(async ({ svc, host, reopen }) => {
    const req = (hostPortStart: number) => ({ containerPort: 80, protocol: 'tcp' as const, hostIp: '', hostPortStart, hostPortEnd: hostPortStart });
    const first = await svc.attach({ containerId: CID, containerName: '/a', mode: 'bridge', ports: [req(8080)] });
    assert.deepEqual(first.ports, [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp', range: 1 }]);
    const setup = host.calls.find((c) => c.op === 'netavark setup')!;
    assert.equal((setup.args.at(-1) as NetavarkOptions).port_mappings, undefined);
    const rules = () => String(host.calls.filter((c) => c.op === 'iptables-restore').at(-1)!.args.at(-1));
    assert.match(rules(), /-p tcp -m tcp --dport 8080 -m comment --comment "berth c{12}" -j DNAT --to-destination 10\.44\.0\.2:80/);
    assert.ok(host.ops().includes('enableRouteLocalnet'));

    await svc.attach({ containerId: CID2, containerName: '/b', mode: 'bridge', ports: [req(8081)] });
    assert.equal(host.ops().filter((o) => o === 'netavark setup').length, 1, 'the second endpoint skipped netavark');
    assert.ok(host.ops().includes('wireVeth'));
    assert.match(rules(), /--dport 8080 .*\n.*\n.*\n.*--dport 8081 /);

    await assert.rejects(svc.attach({ containerId: 'e'.repeat(64), containerName: '/c', mode: 'bridge', ports: [req(8080)] }), /Bind for 0\.0\.0\.0:8080 failed: port is already allocated/);
    const before = host.calls.length;
    await svc.releasePorts('f'.repeat(64));
    assert.equal(host.calls.length, before, 'an exit without published ports writes nothing');
    await svc.releasePorts(CID);
    assert.ok(!rules().includes('--dport 8080'));
    assert.equal(svc.attachment(CID)?.ipAddress, '10.44.0.2', 'the endpoint itself stays until detach()');
    await svc.attach({ containerId: 'e'.repeat(64), containerName: '/c', mode: 'bridge', ports: [req(8080)] });
    assert.match(rules(), /--dport 8080 .* 10\.44\.0\.4:80/);
    await svc.detach(CID);
    assert.match(rules(), /--dport 8080 .* 10\.44\.0\.4:80/);

    // a restart forwards the recorded ports again, in one write
    const n = host.calls.length;
    await reopen();
    const again = host.calls.slice(n).filter((c) => c.op === 'iptables-restore');
    assert.equal(again.length, 1);
    assert.match(String(again[0]!.args.at(-1)), /--dport 8081 .*--dport 8080 |--dport 8080 .*--dport 8081 /s);
  }, { ports: { probe, hostIpv6: false } });
});

test('an endpoint record a power cut left empty is dropped at open (its endpoint did not survive the reboot either)', async () => {
  await withService(async ({ svc, dir, reopen }) => {
    await svc.attach({ containerId: CID, containerName: '/a', mode: 'bridge' });
    await writeFile(join(dir, 'networks', 'endpoints', `${CID2}.json`), '');
    const again = await reopen();
    assert.equal(again.attachment(CID2), undefined);
    assert.deepEqual((await readdir(join(dir, 'networks', 'endpoints'))).filter((f) => f.startsWith(CID2)), []);
    assert.equal(again.attachment(CID)?.ipAddress, '10.44.0.2');
  });
});

test('detach() of an endpoint whose ports berth forwarded itself sweeps no netavark chain', async () => {
  const ports = [{ containerPort: 80, protocol: 'tcp' as const, hostIp: '127.0.0.1', hostPortStart: 0, hostPortEnd: 0 }];
  await withService(async ({ svc, host }) => {
    await svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge', ports });
    host.calls.length = 0;
    await svc.detach(CID);
    assert.ok(!host.calls.some((c) => c.op === 'iptables' && c.args.includes('-S')), host.ops().join(', '));
  }, { ports: { probe: async () => true, ephemeral: [40000, 40010], hostIpv6: false } });
});

test('-b none: no bridge network; the default and bridge modes are loopback only', async () => {
  await withService(async ({ svc }) => {
    assert.deepEqual(svc.list().map((n) => n.name), ['host', 'none']);
    assert.equal(svc.validateMode('default'), 'none');
    assert.equal(svc.validateMode('bridge'), 'none');
    assert.throws(() => svc.get('bridge'), /network bridge not found/);
  }, { bridge: { disabled: true } });
});

test('--fixed-cidr: the default bridge hands out addresses from the range only, and records it', async () => {
  await withService(async ({ svc }) => {
    const a = await svc.attach({ containerId: CID, containerName: 'a', mode: 'bridge' });
    assert.equal(a.ipAddress, '10.44.0.64');
    assert.deepEqual(svc.get('bridge').ipam.config, [{ subnet: '10.44.0.0/24', gateway: '10.44.0.1', ipRange: '10.44.0.64/26' }]);
  }, { bridge: { name: 'bt0', subnet: '10.44.0.0/24', fixedCidr: '10.44.0.64/26' } });
});
