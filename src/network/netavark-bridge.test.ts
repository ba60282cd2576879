// Integration: a real netavark, real namespaces, bridges and iptables rules (root only).
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../host/index.js';
import { hostVethName, keeperName } from './bridge-driver.js';
import { DEFAULT_NETAVARK, NetworkService, type NetworkServiceOptions } from './network-service.js';
import { realNetworkHost, type NetworkHost } from './network-host.js';
import type { Attachment } from './types.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : !existsSync(DEFAULT_NETAVARK) ? 'needs netavark' : false;

const tag = randomBytes(3).toString('hex');
const BRIDGE = `bnt${tag}`;
const SUBNET_OCTET = 100 + (randomBytes(1)[0]! % 100);
const SUBNET = `10.${SUBNET_OCTET}.${randomBytes(1)[0]!}.0/24`;
const NET_PREFIX = SUBNET.slice(0, SUBNET.lastIndexOf('.'));
const GATEWAY = `${NET_PREFIX}.1`;
const cid = (n: number): string => `${tag}${String(n).padStart(2, '0')}`.padEnd(64, 'a');
const GLOBAL_CHAINS = ['NETAVARK_FORWARD', 'NETAVARK-HOSTPORT-DNAT', 'NETAVARK-HOSTPORT-SETMARK', 'NETAVARK-HOSTPORT-MASQ'];

let dir = '';
let opts: NetworkServiceOptions;
let svc: NetworkService;
let hadBefore: { chains: Set<string>; tables: Set<string> };
const timings = new Map<string, number[]>();

/** The real host, timing each side effect so the report can say where attach time goes. */
const timedHost: NetworkHost = Object.fromEntries(Object.entries(realNetworkHost).map(([k, fn]) => [k, async (...args: unknown[]) => {
  const t0 = performance.now();
  try {
    return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
  } finally {
    const key = k === 'exec' ? `netavark ${(args[1] as string[]).at(-2)}` : k;
    timings.set(key, [...(timings.get(key) ?? []), performance.now() - t0]);
  }
}])) as unknown as NetworkHost;

async function sh(file: string, args: string[]): Promise<string> {
  return (await exec(file, args, { allowFailure: true })).stdout;
}

async function iptablesSave(): Promise<string> {
  return sh('iptables-save', []);
}

async function nftTables(): Promise<Set<string>> {
  return new Set((await sh('nft', ['list', 'tables'])).split('\n').filter(Boolean));
}

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    timings.set(label, [...(timings.get(label) ?? []), performance.now() - t0]);
  }
}

before(async () => {
  if (skip) return;
  const saved = await iptablesSave();
  hadBefore = { chains: new Set(GLOBAL_CHAINS.filter((c) => saved.includes(`:${c} `))), tables: await nftTables() };
  dir = await mkdtemp(join(tmpdir(), 'berth-netavark-'));
  opts = { root: join(dir, 'networks'), execRoot: join(dir, 'run'), bridge: { name: BRIDGE, subnet: SUBNET }, host: timedHost };
  svc = await NetworkService.open(opts);
});

after(async () => {
  if (skip) return;
  try {
    for (let n = 0; n < 10; n++) await svc.detach(cid(n)).catch(() => {});
    await svc.removeDefaultBridge().catch(() => {});
  } finally {
    await scrubHost();
    await rm(dir, { recursive: true, force: true });
    const report = [...timings].map(([k, v]) => `${k}: ${v.map((x) => x.toFixed(1)).join(', ')} ms`).join('\n');
    process.stderr.write(`# network timings\n${report}\n`);
  }
});

/** The prefix of this test's daemon-owned namespaces (spares and removeDefaultBridge's throwaway one). */
function poolPrefix(): string {
  return `berth-p${createHash('sha256').update(opts.root).digest('hex').slice(0, 8)}-`;
}

/** Whatever the service failed to undo: our namespaces, links, rules; shared chains only if we made them and they are empty. */
async function scrubHost(): Promise<void> {
  for (const name of await readdir('/run/netns').catch(() => [] as string[])) {
    if (name.startsWith(`berth-${tag}`) || name.startsWith('berth-flush-') || name.startsWith(poolPrefix())) await realNetworkHost.deleteNetns(name).catch(() => {});
  }
  await realNetworkHost.deleteLink(keeperName(BRIDGE)).catch(() => {});
  await realNetworkHost.deleteLink(BRIDGE).catch(() => {});
  let table = 'filter';
  for (const line of (await iptablesSave()).split('\n')) {
    if (line.startsWith('*')) table = line.slice(1);
    else if (line.startsWith('-A ') && line.includes(SUBNET)) await sh('sh', ['-c', `iptables -t ${table} ${line.replace(/^-A /, '-D ')}`]);
  }
  const saved = await iptablesSave();
  const nfChains = [...saved.matchAll(/^:(NETAVARK-[0-9A-F]+) /gm)].map((m) => m[1]!);
  for (const c of nfChains) {
    if (!saved.includes(`-j ${c}`)) {
      const rules = saved.split('\n').filter((l) => l.startsWith(`-A ${c} `));
      if (rules.every((r) => r.includes(SUBNET) || r.includes('224.0.0.0/4'))) {
        await sh('iptables', ['-t', 'nat', '-F', c]);
        await sh('iptables', ['-t', 'nat', '-X', c]);
      }
    }
  }
  const now = await iptablesSave();
  const forwardEmpty = !now.split('\n').some((l) => l.startsWith('-A NETAVARK_FORWARD '));
  const dnatEmpty = !now.split('\n').some((l) => l.startsWith('-A NETAVARK-HOSTPORT-DNAT '));
  if (!hadBefore.chains.has('NETAVARK_FORWARD') && forwardEmpty) {
    await sh('iptables', ['-D', 'FORWARD', '-m', 'comment', '--comment', 'netavark firewall plugin rules', '-j', 'NETAVARK_FORWARD']);
    await sh('iptables', ['-X', 'NETAVARK_FORWARD']);
  }
  if (!hadBefore.chains.has('NETAVARK-HOSTPORT-DNAT') && dnatEmpty) {
    await sh('iptables', ['-t', 'nat', '-D', 'PREROUTING', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'NETAVARK-HOSTPORT-DNAT']);
    await sh('iptables', ['-t', 'nat', '-D', 'OUTPUT', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'NETAVARK-HOSTPORT-DNAT']);
    await sh('iptables', ['-t', 'nat', '-D', 'POSTROUTING', '-j', 'NETAVARK-HOSTPORT-MASQ']);
    for (const c of ['NETAVARK-HOSTPORT-DNAT', 'NETAVARK-HOSTPORT-MASQ', 'NETAVARK-HOSTPORT-SETMARK']) {
      await sh('iptables', ['-t', 'nat', '-F', c]);
      await sh('iptables', ['-t', 'nat', '-X', c]);
    }
  }
  // iptables-nft creates its tables on first use; drop them again if they are ours and empty.
  const final = await iptablesSave();
  for (const [table, nft] of [['nat', 'table ip nat'], ['filter', 'table ip filter']] as const) {
    if (hadBefore.tables.has(nft)) continue;
    const section = final.split(`*${table}\n`)[1]?.split('COMMIT')[0] ?? '';
    if (!section.includes('-A ') && ![...section.matchAll(/^:(\S+) - /gm)].length) await sh('nft', ['delete', nft]);
  }
}

async function inNetns(ns: string, cmd: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec('ip', ['netns', 'exec', ns, ...cmd], { allowFailure: true });
}

const nsName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/**
 * The bridge's ports once the kernel is done: the veth of a deleted namespace goes with the
 * namespace, in the background, a few milliseconds later.
 */
async function bridgePortsSettled(expected = 1): Promise<string[]> {
  let ports: string[] = [];
  for (let i = 0; i < 100; i++) {
    ports = (await readdir(`/sys/class/net/${BRIDGE}/brif`)).sort();
    if (ports.length <= expected) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return ports;
}

/** eth0 with the endpoint's address and MAC, lo up, a default route, and the gateway answering. */
async function assertWired(a: Attachment): Promise<void> {
  const ns = nsName(a.netnsPath!);
  assert.ok(existsSync(a.netnsPath!));
  const addr = await sh('ip', ['-n', ns, '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
  assert.match(addr, new RegExp(`inet ${a.ipAddress.replaceAll('.', '\\.')}/24 `));
  assert.match(await sh('ip', ['-n', ns, '-o', 'link', 'show', 'dev', 'eth0']), new RegExp(`link/ether ${a.macAddress}`));
  assert.match(await sh('ip', ['-n', ns, 'route', 'show', 'default']), new RegExp(`default via ${GATEWAY.replaceAll('.', '\\.')} dev eth0`));
  assert.match(await sh('ip', ['-n', ns, '-o', 'link', 'show', 'lo']), /state UNKNOWN|,UP/);
  const ping = await inNetns(ns, ['/usr/bin/busybox', 'ping', '-c', '1', '-W', '2', GATEWAY]);
  assert.equal(ping.code, 0, ping.stdout + ping.stderr);
}

test('bridge attach gives eth0 an address, a default route, a reachable gateway and masquerade', { skip }, async (t: TestContext) => {
  const a = await timed('attach bridge (cold: bridge and rules created)', () => svc.attach({ containerId: cid(1), containerName: 'one', mode: 'bridge' }));
  assert.equal(a.ipAddress, `${NET_PREFIX}.2`);
  assert.equal(a.gateway, GATEWAY);
  const ns = nsName(a.netnsPath!);
  await assertWired(a);

  const nat = await sh('iptables', ['-t', 'nat', '-S']);
  const jump = nat.split('\n').find((l) => l.startsWith(`-A POSTROUTING -s ${SUBNET} -j NETAVARK-`));
  assert.ok(jump, `no POSTROUTING rule for ${SUBNET}:\n${nat}`);
  const chain = jump.split('-j ')[1]!;
  assert.ok(nat.includes(`-A ${chain} ! -d 224.0.0.0/4 -j MASQUERADE`), nat);
  assert.ok((await sh('iptables', ['-S', 'NETAVARK_FORWARD'])).includes(`-A NETAVARK_FORWARD -s ${SUBNET} -j ACCEPT`));
  assert.ok(existsSync(`/sys/class/net/${keeperName(BRIDGE)}/master`), 'keeper is a port of the bridge');

  // Outbound through NAT: the host's resolver must answer a query sent from the namespace.
  const resolver = (await sh('sh', ['-c', "awk '/^nameserver/{print $2; exit}' /etc/resolv.conf"])).trim();
  const hostAnswer = await exec('timeout', ['3', '/usr/bin/busybox', 'nslookup', 'localhost', resolver], { allowFailure: true });
  if (resolver && /Address/.test(hostAnswer.stdout) && !resolver.startsWith('127.')) {
    const r = await inNetns(ns, ['timeout', '5', '/usr/bin/busybox', 'nslookup', 'localhost', resolver]);
    assert.match(r.stdout, new RegExp(`Server:\\s+${resolver.replaceAll('.', '\\.')}`), r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /timed out|no response/i);
  } else {
    t.diagnostic(`outbound NAT check skipped: resolver ${resolver || '(none)'} does not answer from the host`);
  }
});

test('a second bridge endpoint on the warm bridge is wired by berth, gets the next address and can reach the first', { skip }, async () => {
  const rulesBefore = await iptablesSave();
  const b = await timed('attach bridge (warm)', () => svc.attach({ containerId: cid(2), containerName: 'two', mode: 'bridge' }));
  assert.equal(b.ipAddress, `${NET_PREFIX}.3`);
  // berth wired this one itself: its host end is named after the container, and no rule changed.
  assert.ok(existsSync(`/sys/class/net/${BRIDGE}/brif/${hostVethName(cid(2))}`));
  assert.equal(await iptablesSave().then((x) => x.replace(/^#.*$/gm, '')), rulesBefore.replace(/^#.*$/gm, ''));
  await assertWired(b);
  const first = svc.attachment(cid(1))!;
  const ping = await inNetns(nsName(b.netnsPath!), ['/usr/bin/busybox', 'ping', '-c', '1', '-W', '2', first.ipAddress]);
  assert.equal(ping.code, 0, ping.stdout + ping.stderr);
});

test('attachments survive a service restart and are detached by the new instance', { skip }, async () => {
  const before = svc.attachment(cid(2))!;
  svc = await NetworkService.open(opts);
  assert.deepEqual(svc.attachment(cid(2)), before);
  const portsBefore = (await readdir(`/sys/class/net/${BRIDGE}/brif`)).length;
  await timed('detach bridge (warm)', () => svc.detach(cid(2)));
  assert.equal((await bridgePortsSettled(portsBefore - 1)).length, portsBefore - 1);
  assert.ok(!existsSync(before.netnsPath!));
  assert.equal(svc.attachment(cid(2)), undefined);
  await svc.detach(cid(2));
});

test('detach of the last container keeps the pinned bridge and its masquerade rule', { skip }, async () => {
  const a = svc.attachment(cid(1))!;
  await timed('detach bridge (warm, last container)', () => svc.detach(cid(1)));
  assert.ok(!existsSync(a.netnsPath!));
  assert.ok(existsSync(`/sys/class/net/${BRIDGE}`));
  assert.ok((await sh('iptables', ['-t', 'nat', '-S', 'POSTROUTING'])).includes(`-s ${SUBNET}`));
  const again = await timed('attach bridge (warm, after idle)', () => svc.attach({ containerId: cid(3), containerName: 'three', mode: 'bridge' }));
  assert.equal(again.ipAddress, `${NET_PREFIX}.2`);
  await timed('detach bridge (warm, last container)', () => svc.detach(cid(3)));
});

test('none mode gives an own namespace with loopback up and nothing else', { skip }, async () => {
  const a = await timed('attach none', () => svc.attach({ containerId: cid(4), containerName: 'four', mode: 'none' }));
  const links = await sh('ip', ['-n', nsName(a.netnsPath!), '-o', 'link', 'show']);
  assert.deepEqual(links.trim().split('\n').map((l) => l.split(': ')[1]), ['lo']);
  assert.match(links, /<LOOPBACK,UP,LOWER_UP>/);
  await timed('detach none', () => svc.detach(cid(4)));
  assert.ok(!existsSync(a.netnsPath!));
});

test('host mode makes no namespace', { skip }, async () => {
  const a = await svc.attach({ containerId: cid(5), containerName: 'five', mode: 'host' });
  assert.equal(a.netnsPath, undefined);
  assert.equal(a.networkId, svc.get('host').id);
  await svc.detach(cid(5));
});

test('parallel attaches and detaches leave only the placeholder on the bridge', { skip }, async () => {
  const ids = [6, 7, 8, 9].map(cid);
  const all = await timed('4 parallel attaches', () => Promise.all(ids.map((containerId) => svc.attach({ containerId, containerName: containerId.slice(0, 8), mode: 'bridge' }))));
  assert.equal(new Set(all.map((a) => a.ipAddress)).size, 4);
  assert.equal((await readdir(`/sys/class/net/${BRIDGE}/brif`)).length, 5);
  await timed('4 parallel detaches', () => Promise.all(ids.map((id) => svc.detach(id))));
  assert.deepEqual(await bridgePortsSettled(), [keeperName(BRIDGE)]);
});

test('removeDefaultBridge() removes the bridge, the keeper and the network\'s NAT rules', { skip }, async () => {
  await timed('removeDefaultBridge', () => svc.removeDefaultBridge());
  assert.ok(!existsSync(`/sys/class/net/${BRIDGE}`));
  assert.ok(!existsSync(`/sys/class/net/${keeperName(BRIDGE)}`));
  const saved = await iptablesSave();
  assert.ok(!saved.includes(SUBNET), saved);
  assert.deepEqual((await readdir('/run/netns')).filter((n) => n.startsWith(`berth-${tag}`) || n.startsWith('berth-flush-') || n.startsWith(poolPrefix())), []);
});
