import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PortBook } from './port-book.js';
import type { PortRequest } from './port-allocator.js';

const req = (o: Partial<PortRequest>): PortRequest => ({ containerPort: 80, protocol: 'tcp', hostIp: '', hostPortStart: 8080, hostPortEnd: 8080, ...o });
const book = (): PortBook => new PortBook({ probe: async () => true, ephemeral: [49153, 49160], defaultHostIp: '127.0.0.1' });

test('PortBook binds a request without an address to the daemon\'s --ip, and names the endpoint in its conflict', async () => {
  const b = book();
  const mine = await b.allocate('web', false, [req({})], [], (m) => m);
  assert.deepEqual(mine, [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp', range: 1 }]);
  await assert.rejects(
    b.allocate('/other', false, [req({ hostIp: '0.0.0.0' })], [{ attachment: { ports: mine } }], (m) => m),
    /^ConflictError: driver failed programming external connectivity on endpoint other \([0-9a-f]{64}\): Bind for 0\.0\.0\.0:8080 failed: port is already allocated$/,
  );
});

test('PortBook refuses an IPv6 host address on a network without IPv6 when the userland proxy is off, before recording anything', async () => {
  let recorded = false;
  const b = new PortBook({ probe: async () => true, ephemeral: [49153, 49160], userlandProxy: false, hostIpv6: true });
  await assert.rejects(b.allocate('web', false, [req({ hostIp: '::1' })], [], () => { recorded = true; }), /on IPv6 address "::1": the network has no IPv6 and the userland proxy is off/);
  assert.equal(recorded, false);
  assert.deepEqual(await book().allocate('web', false, [req({ hostIp: '::1' })], [], (m) => m), [{ hostIp: '::1', hostPort: 8080, containerPort: 80, protocol: 'tcp', range: 1 }]);
});

test('PortBook publishes a binding without an address on 0.0.0.0 and :: with one port, as dockerd 20.10+', async () => {
  const probed: string[] = [];
  const b = new PortBook({ probe: async (p) => { probed.push(`${p.hostIp}:${p.port}`); return true; }, ephemeral: [49153, 49160], hostIpv6: true });
  const got = await b.allocate('web', false, [req({}), req({ hostPortStart: 0, hostPortEnd: 0, containerPort: 53, protocol: 'udp' }), req({ hostIp: '127.0.0.1', hostPortStart: 9000, hostPortEnd: 9000 })], [], (m) => m);
  assert.deepEqual(got.map((m) => `${m.hostIp}:${m.hostPort}->${m.containerPort}/${m.protocol}`), [
    '0.0.0.0:8080->80/tcp', ':::8080->80/tcp', '0.0.0.0:49153->53/udp', ':::49153->53/udp', '127.0.0.1:9000->80/tcp',
  ]);
  assert.ok(probed.includes(':::8080') && probed.includes(':::49153'));
  // a host without IPv6 gets the IPv4 binding only
  const v4only = new PortBook({ probe: async () => true, ephemeral: [49153, 49160], hostIpv6: false });
  assert.equal((await v4only.allocate('web', false, [req({})], [], (m) => m)).length, 1);
  // the twin's port taken on :: is dockerd's conflict
  const busy = new PortBook({ probe: async (p) => p.hostIp !== '::', ephemeral: [49153, 49160], hostIpv6: true });
  await assert.rejects(busy.allocate('web', false, [req({})], [], (m) => m), /Bind for \[::\]:8080 failed: port is already allocated/);
});
