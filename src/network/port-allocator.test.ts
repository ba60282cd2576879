import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocatePorts, type PortRequest } from './port-allocator.js';
import type { PortMapping } from './types.js';

const req = (o: Partial<PortRequest>): PortRequest => ({ containerPort: 80, protocol: 'tcp', hostIp: '', hostPortStart: 0, hostPortEnd: 0, ...o });
const held = (o: Partial<PortMapping>): PortMapping => ({ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp', range: 1, ...o });
const free = async (): Promise<boolean> => true;

test('allocatePorts() gives the asked port, and Docker\'s error when another endpoint holds it', async () => {
  const { mappings } = await allocatePorts([req({ hostPortStart: 8080, hostPortEnd: 8080 })], { inUse: [], probe: free, ephemeral: [49153, 49160] });
  assert.deepEqual(mappings, [held({})]);
  await assert.rejects(
    allocatePorts([req({ hostPortStart: 8080, hostPortEnd: 8080 })], { inUse: [held({})], probe: free, ephemeral: [49153, 49160] }),
    { message: 'Bind for 0.0.0.0:8080 failed: port is already allocated' },
  );
});

test('allocatePorts() lets two specific addresses share a port, never one with 0.0.0.0, and tells protocols apart', async () => {
  const inUse = [held({ hostIp: '127.0.0.1' })];
  const opts = { inUse, probe: free, ephemeral: [49153, 49160] as [number, number] };
  assert.equal((await allocatePorts([req({ hostIp: '10.0.0.1', hostPortStart: 8080, hostPortEnd: 8080 })], opts)).mappings[0]!.hostPort, 8080);
  assert.equal((await allocatePorts([req({ protocol: 'udp', hostPortStart: 8080, hostPortEnd: 8080 })], opts)).mappings[0]!.hostPort, 8080);
  await assert.rejects(allocatePorts([req({ hostPortStart: 8080, hostPortEnd: 8080 })], opts), /Bind for 0\.0\.0\.0:8080 failed/);
});

test('allocatePorts() takes the first free port of a range or of the ephemeral range, going round from the cursor', async () => {
  const probe = async ({ port }: { port: number }): Promise<boolean> => port !== 49154; // a host process listens there
  const r = await allocatePorts([req({}), req({}), req({ hostPortStart: 8000, hostPortEnd: 8002 })], { inUse: [held({ hostPort: 49153 }), held({ hostPort: 8000 })], probe, ephemeral: [49153, 49156] });
  assert.deepEqual(r.mappings.map((m) => m.hostPort), [49155, 49156, 8001]);
  assert.equal(r.cursor, 49157);
  const again = await allocatePorts([req({})], { inUse: [], probe, ephemeral: [49153, 49156], cursor: r.cursor });
  assert.equal(again.mappings[0]!.hostPort, 49153, 'wraps round');
});

test('allocatePorts() refuses when a host process holds the asked port', async () => {
  await assert.rejects(
    allocatePorts([req({ hostIp: '127.0.0.1', hostPortStart: 9000, hostPortEnd: 9000 })], { inUse: [], probe: async () => false, ephemeral: [49153, 49160] }),
    { message: 'Bind for 127.0.0.1:9000 failed: port is already allocated' },
  );
});
