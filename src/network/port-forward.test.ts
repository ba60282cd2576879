import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardingRules, PortForwarder, type ForwardedEndpoint } from './port-forward.js';
import { RecordingHost } from './recording-host.js';

const EP: ForwardedEndpoint = {
  key: 'k1', containerId: 'a'.repeat(64), ip: '10.44.0.2', subnet: '10.44.0.0/24', bridge: 'bt0',
  ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp', range: 1 }, { hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp', range: 1 }],
};

function restores(host: RecordingHost): string[] {
  return host.calls.filter((c) => c.op === 'iptables-restore').map((c) => String(c.args[c.args.length - 1]));
}

test('forwardingRules() DNATs each host port (to the host address asked for) and masquerades the host\'s and the network\'s own connections', () => {
  const rules = forwardingRules(EP, { dnat: 'D', masq: 'M' });
  const tag = '-m comment --comment "berth aaaaaaaaaaaa"';
  assert.deepEqual(rules, [
    `-A D -p tcp -m tcp --dport 8080 ${tag} -j DNAT --to-destination 10.44.0.2:80`,
    `-A M -d 10.44.0.2/32 -o bt0 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -m addrtype --src-type LOCAL ${tag} -j MASQUERADE`,
    `-A M -s 10.44.0.0/24 -d 10.44.0.2/32 -o bt0 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT ${tag} -j MASQUERADE`,
    `-A D -d 127.0.0.1/32 -p udp -m udp --dport 5353 ${tag} -j DNAT --to-destination 10.44.0.2:53`,
    `-A M -d 10.44.0.2/32 -o bt0 -p udp -m udp --dport 53 -m conntrack --ctstate DNAT -m addrtype --src-type LOCAL ${tag} -j MASQUERADE`,
    `-A M -s 10.44.0.0/24 -d 10.44.0.2/32 -o bt0 -p udp -m udp --dport 53 -m conntrack --ctstate DNAT ${tag} -j MASQUERADE`,
  ]);
  assert.equal(forwardingRules({ ...EP, ports: [{ hostIp: '', hostPort: 9000, containerPort: 90, protocol: 'sctp', range: 2 }] }, { dnat: 'D', masq: 'M' }).filter((r) => r.startsWith('-A D')).length, 2);
});

test('forwardingRules() refuses values that could break out of an iptables-restore line', () => {
  assert.throws(() => forwardingRules({ ...EP, ip: '10.44.0.2 -j ACCEPT' }, { dnat: 'D', masq: 'M' }), { name: 'InvalidArgumentError' });
  assert.throws(() => forwardingRules({ ...EP, ports: [{ ...EP.ports[0]!, hostIp: '1.2.3.4\n-A INPUT' }] }, { dnat: 'D', masq: 'M' }), { name: 'InvalidArgumentError' });
  assert.throws(() => forwardingRules({ ...EP, bridge: 'bt0 -j X' }, { dnat: 'D', masq: 'M' }), { name: 'InvalidArgumentError' });
});

test('publish() enables route_localnet once, inserts the missing jumps once and rewrites both chains; unpublish() empties them', async () => {
  const host = new RecordingHost();
  host.natTable = '-A OUTPUT -m addrtype --dst-type LOCAL -j BERTH-DNAT-t1\n';
  const fw = new PortForwarder(host, 't1');
  await fw.publish(EP);
  await fw.publish({ ...EP, key: 'k2', ip: '10.44.0.3', ports: [{ hostIp: '0.0.0.0', hostPort: 8081, containerPort: 80, protocol: 'tcp', range: 1 }] });
  assert.deepEqual(host.ops(), ['enableRouteLocalnet', 'iptables-save', 'iptables-restore', 'iptables-restore']);
  const [first, second] = restores(host);
  assert.match(first!, /^\*nat\n:BERTH-DNAT-t1 - \[0:0\]\n:BERTH-MASQ-t1 - \[0:0\]\n-I PREROUTING 1 -m addrtype --dst-type LOCAL -j BERTH-DNAT-t1\n-I POSTROUTING 1 -j BERTH-MASQ-t1\n-A BERTH-DNAT-t1 /);
  assert.ok(first!.endsWith('COMMIT\n'));
  assert.equal(second!.split('\n').filter((l) => l.includes('-j DNAT')).length, 3);
  assert.ok(!second!.includes('-I '));
  await fw.unpublish('k1');
  await fw.unpublish('k2');
  assert.equal(restores(host).at(-1), '*nat\n:BERTH-DNAT-t1 - [0:0]\n:BERTH-MASQ-t1 - [0:0]\nCOMMIT\n');
});

test('changes made while a write runs share the next write, which has them all', async () => {
  const host = new RecordingHost();
  const fw = new PortForwarder(host, 't1');
  await fw.sync([]);
  const n = restores(host).length;
  await Promise.all([1, 2, 3, 4].map((i) => fw.publish({ ...EP, key: `k${i}`, ip: `10.44.0.${i + 1}` })));
  const written = restores(host).slice(n);
  assert.ok(written.length <= 2, `${written.length} writes`);
  assert.equal(written.at(-1)!.split('\n').filter((l) => l.includes('-j DNAT')).length, 8);
});

test('a failed write is reported to its callers and the next change writes again', async () => {
  const host = new RecordingHost();
  const fw = new PortForwarder(host, 't1');
  host.failNext.add('iptables-restore');
  await assert.rejects(fw.publish(EP), /Cannot program published ports: iptables-restore failed: simulated failure/);
  await fw.unpublish(EP.key);
  assert.equal(restores(host).at(-1), '*nat\n:BERTH-DNAT-t1 - [0:0]\n:BERTH-MASQ-t1 - [0:0]\n-I PREROUTING 1 -m addrtype --dst-type LOCAL -j BERTH-DNAT-t1\n-I OUTPUT 1 -m addrtype --dst-type LOCAL -j BERTH-DNAT-t1\n-I POSTROUTING 1 -j BERTH-MASQ-t1\nCOMMIT\n');
});

test('uninstall() deletes only this daemon\'s jumps and chains', async () => {
  const host = new RecordingHost();
  host.natTable = [':BERTH-DNAT-t1 - [0:0]', ':BERTH-MASQ-t1 - [0:0]', ':BERTH-DNAT-t2 - [0:0]',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j BERTH-DNAT-t1', '-A PREROUTING -m addrtype --dst-type LOCAL -j BERTH-DNAT-t2',
    '-A POSTROUTING -j BERTH-MASQ-t1', ''].join('\n');
  await new PortForwarder(host, 't1').uninstall();
  assert.equal(restores(host)[0], '*nat\n-D PREROUTING -m addrtype --dst-type LOCAL -j BERTH-DNAT-t1\n-D POSTROUTING -j BERTH-MASQ-t1\n-F BERTH-DNAT-t1\n-X BERTH-DNAT-t1\n-F BERTH-MASQ-t1\n-X BERTH-MASQ-t1\nCOMMIT\n');
});
