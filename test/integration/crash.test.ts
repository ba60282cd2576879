import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, isRoot, startDaemon, withBusybox, type RunResult, type TestDaemon, seededRandom } from './harness.js';

/**
 * kill -9 of berthd at random points of a random mix of operations (create, run -d, run --rm,
 * stop, rm -f, start, import, load, rmi -f, tag), then a restart: what is left
 * must be exactly what the surviving containers and images own. Bounded to about two minutes.
 * BERTH_CRASH_SEED replays a run (the seed is printed); BERTH_CRASH_ROUNDS changes its length.
 */

const SEED = Number(process.env.BERTH_CRASH_SEED ?? randomInt(1, 2 ** 31));
const ROUNDS = Number(process.env.BERTH_CRASH_ROUNDS ?? 40);
const BUDGET_MS = 100_000;


function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

interface ContainerView { Id: string; State: string }

/** A directory's entries; none when it does not exist (yet). */
function list(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe('kill -9 of berthd during a random operation mix', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
  });
  after(async () => { await d?.cleanup(); });

  test(`recovery leaves exactly what the survivors own (seed ${SEED})`, { timeout: 300_000 }, async (t) => {
    t.diagnostic(`BERTH_CRASH_SEED=${SEED}`);
    process.stderr.write(`crash test seed: BERTH_CRASH_SEED=${SEED}\n`);
    const random = seededRandom(SEED);
    const pick = <T>(xs: readonly T[]): T | undefined => (xs.length ? xs[Math.floor(random() * xs.length)] : undefined);
    const started = Date.now();
    let serial = 0;

    // Material for import and load: small distinct rootfs tars, and one saved image archive.
    const tarOf = (n: number): Buffer => {
      const src = join(d.dir, `src-${n}`);
      mkdirSync(src, { recursive: true });
      writeFileSync(join(src, `file-${n}`), `${SEED}-${n}\n`.repeat(1 + (n % 7) * 500));
      return execFileSync('tar', ['-C', src, '-c', '.']);
    };
    ok(await d.berth(['import', '-', 'crash-saved:1'], { input: tarOf(0) }));
    const saved = join(d.dir, 'saved.tar');
    ok(await d.berth(['save', '-o', saved, 'crash-saved:1']));

    const containers = async (): Promise<ContainerView[]> => (await d.api('GET', '/containers/json?all=1')).json();
    const testTags = async (): Promise<string[]> => ((await d.api('GET', '/images/json')).json() as Array<{ RepoTags: string[] | null }>)
      .flatMap((i) => i.RepoTags ?? []).filter((r) => r.startsWith('crash-'));

    const operation = async (): Promise<void> => {
      const all = await containers().catch(() => [] as ContainerView[]);
      const tags = await testTags().catch(() => [] as string[]);
      const n = ++serial;
      const r = random();
      const some = pick(all)?.Id;
      const op: string[] | { args: string[]; input: Buffer } | undefined =
        r < 0.15 ? ['create', 'busybox', 'sleep', '1000']
          : r < 0.35 ? ['run', '-d', 'busybox', 'sleep', '1000']
            : r < 0.5 ? ['run', '--rm', 'busybox', 'true']
              : r < 0.6 ? (some ? ['stop', '-t', '1', some] : undefined)
                : r < 0.65 ? (some ? ['rm', '-f', some] : undefined)
                  : r < 0.7 ? (some ? ['start', some] : undefined)
                  : r < 0.8 ? { args: ['import', '-', `crash-imp:${n}`], input: tarOf(n) }
                    : r < 0.87 ? ['load', '-i', saved]
                      : r < 0.94 ? (pick(tags) ? ['rmi', '-f', pick(tags)!] : undefined)
                        : (pick(tags) ? ['tag', pick(tags)!, `crash-tag:${n}`] : undefined);
      if (!op) return;
      if (Array.isArray(op)) await d.berth(op, { timeoutMs: 60_000 });
      else await d.berth(op.args, { input: op.input, timeoutMs: 60_000 });
    };

    let rounds = 0;
    for (; rounds < ROUNDS && Date.now() - started < BUDGET_MS; rounds++) {
      // A few operations at once, and the daemon dies at a random moment among them.
      const ops = Array.from({ length: 2 + Math.floor(random() * 4) }, () => operation().catch(() => {}));
      await new Promise((r) => setTimeout(r, Math.floor(random() * 700)));
      await d.crash();
      await Promise.all(ops);
      await d.restart();
      await checkInvariants(d, `round ${rounds} (BERTH_CRASH_SEED=${SEED})`);
      // Keep the machine's load bounded: a handful of containers is enough to find leaks.
      const all = await containers();
      for (const c of all.slice(6)) ok(await d.berth(['rm', '-f', c.Id]));
    }
    t.diagnostic(`${rounds} rounds in ${Math.round((Date.now() - started) / 1000)} s`);
    assert.ok(rounds >= 2, 'too few rounds ran to mean anything');
  });
});

/** After a restart: mounts, namespaces, veths, leases, holds, layers and blobs are exactly the survivors'. */
async function checkInvariants(d: TestDaemon, where: string): Promise<void> {
  const msg = (what: string): string => `${where}: ${what}`;
  const containers = (await d.api('GET', '/containers/json?all=1')).json() as Array<{ Id: string; State: string }>;
  const running = new Set(containers.filter((c) => c.State === 'running').map((c) => c.Id));
  const all = new Set(containers.map((c) => c.Id));
  const containersRoot = join(d.dataRoot, 'containers');

  // The store loads: every record is listed, and nothing is half-way.
  assert.deepEqual(list(containersRoot).filter((n) => !n.startsWith('.')).sort(), [...all].sort(), msg('container directories'));
  for (const c of containers) assert.ok(['running', 'created', 'exited'].includes(c.State), msg(`container ${c.Id} is ${c.State}`));

  // rootfs mounts: those of the running containers, nothing else under the data root's containers.
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(`${containersRoot}/`));
  assert.deepEqual(mounts.sort(), [...running].map((id) => join(containersRoot, id, 'merged')).sort(), msg('rootfs mounts'));

  // runtime state, bundles and exit files under the exec root: the running containers' only.
  const runtimeRoot = ['crun', 'runc'].map((r) => join(d.execRoot, r)).find((p) => existsSync(p));
  assert.deepEqual(list(join(d.execRoot, 'containers')).sort(), [...running].sort(), msg('bundles'));
  if (runtimeRoot) assert.deepEqual(list(runtimeRoot).sort(), [...running].sort(), msg('runtime state'));
  assert.deepEqual(list(join(d.execRoot, 'exits')), [], msg('exit files'));

  // endpoints, namespaces and leases: the running containers' (all on the default bridge here).
  const endpointsDir = join(d.dataRoot, 'networks', 'endpoints');
  const endpoints = readdirSync(endpointsDir).filter((n) => n.endsWith('.json')).map((n) => JSON.parse(readFileSync(join(endpointsDir, n), 'utf8')) as { containerId: string; netnsName?: string; state: string });
  assert.deepEqual(endpoints.map((e) => e.containerId).sort(), [...running].sort(), msg('endpoint records'));
  for (const e of endpoints) {
    assert.equal(e.state, 'ready', msg(`endpoint of ${e.containerId}`));
    assert.ok(e.netnsName && existsSync(`/run/netns/${e.netnsName}`), msg(`namespace of ${e.containerId}`));
  }
  const held = new Set(endpoints.map((e) => e.netnsName));
  const seen = new Set([...d.log().matchAll(/\b([0-9a-f]{12})(?:[0-9a-f]{52})?\b/g)].map((m) => m[1]!));
  const poolPrefix = `berth-p${createHash('sha256').update(join(d.dataRoot, 'networks')).digest('hex').slice(0, 8)}-`;
  const ours = readdirSync('/run/netns').filter((n) => (/^berth-[0-9a-f]{12}-/.test(n) && seen.has(n.slice(6, 18))));
  assert.deepEqual(ours.filter((n) => !held.has(n)), [], msg('namespaces no endpoint holds'));
  assert.ok(readdirSync('/run/netns').filter((n) => n.startsWith(poolPrefix) && !held.has(n)).length <= 2, msg('spare namespaces beyond the pool'));
  const networks = JSON.parse(readFileSync(join(d.dataRoot, 'networks', 'networks.json'), 'utf8')).networks as Array<{ id: string; name: string }>;
  const bridgeId = networks.find((n) => n.name === 'bridge')!.id;
  const leases = JSON.parse(readFileSync(join(d.dataRoot, 'networks', 'ipam', `${bridgeId}.json`), 'utf8')).leases as Record<string, string>;
  assert.deepEqual(Object.values(leases).sort(), [...running].sort(), msg('IPAM leases'));
  // veths on the test bridge: one per running container (the kernel frees a deleted namespace's pair a moment later)
  const ports = (): string[] => (existsSync(`/sys/class/net/${d.bridge}`) ? execFileSync('ip', ['-o', 'link', 'show', 'master', d.bridge], { encoding: 'utf8' }) : '').split('\n')
    .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1]).filter((n): n is string => !!n && !n.startsWith(`${d.bridge.slice(0, 9)}-k`));
  await eventually(() => ports().length === running.size, 15_000).catch(() => assert.equal(ports().length, running.size, msg(`bridge ports ${ports().join(' ')}`)));

  // image holds: one per existing container; layers: those of images and holds; blobs: their configs and tars.
  const holdsFile = join(d.dataRoot, 'image', 'holds.json');
  const holds = (existsSync(holdsFile) ? JSON.parse(readFileSync(holdsFile, 'utf8')) : {}) as Record<string, string[]>;
  assert.deepEqual(Object.keys(holds).sort(), [...all].map((id) => `container:${id}`).sort(), msg('image holds'));
  const images = (await d.api('GET', '/images/json?all=1')).json() as Array<{ Id: string }>;
  const usedChains = new Set<string>(Object.values(holds).flat());
  for (const img of images) {
    const layers = (await d.api('GET', `/images/${img.Id}/json`)).json().RootFS.Layers as string[];
    let chain = '';
    for (const diff of layers) {
      chain = chain ? `sha256:${createHash('sha256').update(`${chain} ${diff}`).digest('hex')}` : diff;
      usedChains.add(chain);
    }
  }
  const layerDirs = readdirSync(join(d.dataRoot, 'layers'));
  assert.deepEqual(layerDirs.filter((n) => n.startsWith('.')), [], msg('half-made layers'));
  assert.deepEqual(layerDirs.map((h) => `sha256:${h}`).sort(), [...usedChains].sort(), msg('layers'));
  const blobs = new Set(images.map((i) => i.Id));
  for (const h of layerDirs) blobs.add(JSON.parse(readFileSync(join(d.dataRoot, 'layers', h, 'layer.json'), 'utf8')).tarDigest);
  assert.deepEqual(readdirSync(join(d.dataRoot, 'content', 'sha256')).map((h) => `sha256:${h}`).sort(), [...blobs].sort(), msg('blobs'));
  assert.deepEqual(readdirSync(join(d.dataRoot, 'content', 'ingest')), [], msg('ingest files'));

  // Each survivor's state is true: a running one runs and stops; a stopped one starts.
  for (const c of containers) {
    if (c.State === 'running') {
      const pid = (await d.api('GET', `/containers/${c.Id}/json`)).json().State.Pid as number;
      assert.ok(pid > 1 && existsSync(`/proc/${pid}`), msg(`running container ${c.Id} has no process`));
      ok(await d.berth(['stop', '-t', '1', c.Id]));
    } else {
      ok(await d.berth(['start', c.Id]));
    }
  }
}
