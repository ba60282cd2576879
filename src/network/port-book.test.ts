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

test('PortBook refuses an IPv6 host address on a network without IPv6, before recording anything', async () => {
  let recorded = false;
  await assert.rejects(book().allocate('web', false, [req({ hostIp: '::1' })], [], () => { recorded = true; }), /on IPv6 address "::1": the network has no IPv6/);
  assert.equal(recorded, false);
});
