import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isRoot, removeNetworkLeftovers, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';
import { removeEverything, rulesMentioning } from './network-fixtures.js';

const skip = !isRoot() && 'needs root';
const COUNT = 200;
const A = 100 + (process.pid % 100);
const SUBNET = `10.${A}.200.0/24`;
const BRIDGE = `bs${A}x200`;

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}


/** Run `fn` over `items`, `width` at a time. */
async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

describe('a user-defined network at scale', { skip }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
  });
  after(async () => {
    await removeEverything(d);
    removeNetworkLeftovers(BRIDGE, SUBNET);
  });

  test(`${COUNT} containers get unique addresses and all resolve; rm -f of all gives every address, link and rule back`, async () => {
    const id = ok(await d.docker(['network', 'create', '--subnet', SUBNET, '-o', `com.docker.network.bridge.name=${BRIDGE}`, 'scale'])).trim();
    const names = Array.from({ length: COUNT }, (_, i) => `s${i}`);
    await pool(names, 8, async (n) => { ok(await d.docker(['run', '-d', '--name', n, '--network', 'scale', 'busybox', 'sleep', '600'], { timeoutMs: 120_000 })); });
    const doc = JSON.parse(ok(await d.docker(['network', 'inspect', 'scale'])))[0] as { Containers: Record<string, { Name: string; IPv4Address: string }> };
    const ips = Object.values(doc.Containers).map((c) => c.IPv4Address);
    assert.equal(ips.length, COUNT);
    assert.equal(new Set(ips).size, COUNT, 'every address is unique');
    const byName = new Map(Object.values(doc.Containers).map((c) => [c.Name, c.IPv4Address.split('/')[0]]));
    // one container asks the embedded DNS for every name
    const script = names.map((n) => `nslookup ${n} | sed -n 's/^Address: //p' | head -1 | sed 's/^/${n} /'`).join('; ');
    const out = ok(await d.docker(['run', '--rm', '--network', 'scale', 'busybox', 'sh', '-c', script], { timeoutMs: 300_000 }));
    const answered = new Map(out.trim().split('\n').map((l) => l.split(' ') as [string, string]));
    for (const n of names) assert.equal(answered.get(n), byName.get(n), `${n} resolves to its address`);

    await pool(names, 8, async (n) => { ok(await d.docker(['rm', '-f', n], { timeoutMs: 120_000 })); });
    const ipamFile = join(d.dataRoot, 'networks', 'ipam', `${id}.json`);
    const leasesLeft = async (): Promise<number> => Object.keys((JSON.parse(readFileSync(ipamFile, 'utf8')) as { leases: object }).leases).length;
    for (let i = 0; i < 400 && (await leasesLeft()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await leasesLeft(), 0, 'IPAM is back to no lease');
    assert.deepEqual(JSON.parse(ok(await d.docker(['network', 'inspect', 'scale'])))[0].Containers, {});
    ok(await d.docker(['network', 'rm', 'scale']));
    assert.ok(!spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout.includes(BRIDGE), 'the bridge and its keeper are gone');
    assert.deepEqual(rulesMentioning(`10.${A}.200.`), []);
  });
});
