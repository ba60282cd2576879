import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, isRoot, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

describe('live restore after kill -9 of berthd', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
  });
  after(async () => { await d?.cleanup(); });

  test('running containers survive, exits are recorded, restart policies are honoured', async () => {
    ok(await d.berth(['run', '-d', '--name', 'ticker', 'busybox', 'sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done']));
    ok(await d.berth(['run', '-d', '--name', 'short', 'busybox', 'sh', '-c', 'sleep 1; exit 4']));
    ok(await d.berth(['run', '-d', '--name', 'phoenix', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 1; exit 1']));
    const pidBefore = ok(await d.berth(['inspect', '-f', '{{.State.Pid}}', 'ticker'])).trim();

    await d.crash();
    // While the daemon is away: "short" exits, "phoenix" dies.
    await new Promise((r) => setTimeout(r, 1500));
    await d.restart();

    assert.equal(ok(await d.berth(['inspect', '-f', '{{.State.Status}} {{.State.Pid}}', 'ticker'])).trim(), `running ${pidBefore}`);
    assert.match(ok(await d.berth(['ps', '--format', '{{.Names}}'])), /ticker/);
    const before = ok(await d.berth(['logs', 'ticker'])).split('\n').length;
    await eventually(async () => ok(await d.berth(['logs', 'ticker'])).split('\n').length > before + 1);

    assert.equal(ok(await d.berth(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'short'])).trim(), 'exited 4');
    await eventually(async () => {
      const s = ok(await d.berth(['inspect', '-f', '{{.State.Status}} {{.RestartCount}}', 'phoenix'])).trim();
      return s.startsWith('running') || Number(s.split(' ')[1]) > 0;
    });
    // And the docker CLI sees the same.
    assert.match(ok(await d.docker(['ps', '-a', '--format', '{{.Names}} {{.Status}}'])), /short Exited \(4\)/);

    ok(await d.berth(['stop', '-t', '1', 'ticker']));
    assert.equal(ok(await d.berth(['inspect', '-f', '{{.State.Status}}', 'ticker'])).trim(), 'exited');
  });

  test('a stopped always-restart container runs again when the daemon restarts; an unless-stopped one stays stopped (as dockerd)', async () => {
    ok(await d.berth(['run', '-d', '--name', 'keeper', '--restart', 'always', 'busybox', 'sleep', '1000']));
    ok(await d.berth(['run', '-d', '--name', 'sleeper', '--restart', 'unless-stopped', 'busybox', 'sleep', '1000']));
    ok(await d.berth(['stop', '-t', '1', 'keeper', 'sleeper']));
    assert.equal(ok(await d.berth(['inspect', '-f', '{{.State.Status}}', 'keeper'])).trim(), 'exited');
    await d.stop();
    await d.restart();
    await eventually(async () => ok(await d.berth(['inspect', '-f', '{{.State.Status}}', 'keeper'])).trim() === 'running');
    assert.equal(ok(await d.berth(['inspect', '-f', '{{.State.Status}}', 'sleeper'])).trim(), 'exited');
    ok(await d.berth(['rm', '-f', 'keeper', 'sleeper']));
  });

  test('SIGTERM leaves containers running and a restarted daemon picks them up', async () => {
    ok(await d.berth(['run', '-d', '--name', 'survivor', 'busybox', 'sleep', '1000']));
    await d.stop();
    await d.restart();
    assert.equal(ok(await d.berth(['inspect', '-f', '{{.State.Running}}', 'survivor'])).trim(), 'true');
    ok(await d.berth(['rm', '-f', 'survivor']));
  });
});

describe('start-up recovery reconciles every record with the runtime after kill -9', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
  });
  after(async () => { await d?.cleanup(); });

  const idOf = async (name: string): Promise<string> => ok(await d.berth(['inspect', '-f', '{{.Id}}', name])).trim();
  const recordFile = (id: string): string => join(d.dataRoot, 'containers', id, 'container.json');
  /** Make the record say what it said before the start that the crash cut short. */
  const rewindToCreated = (id: string): void => {
    const rec = JSON.parse(readFileSync(recordFile(id), 'utf8'));
    rec.state = { ...rec.state, status: 'created', pid: 0, exitCode: 0, startedAt: '0001-01-01T00:00:00Z' };
    writeFileSync(recordFile(id), JSON.stringify(rec));
  };
  const exitFile = (id: string): string => join(d.execRoot, 'exits', id);
  /** The container's host pid; never 0, which process.kill() would take for this test's own process group. */
  const pidOf = async (id: string): Promise<number> => {
    const pid = Number(ok(await d.berth(['inspect', '-f', '{{.State.Pid}}', id])).trim());
    assert.ok(pid > 1, `container ${id} has no process`);
    return pid;
  };

  test('a container started just before the crash, whose record still says created, is found running and can be stopped', async () => {
    ok(await d.berth(['run', '-d', '--name', 'unsaved', 'busybox', 'sleep', '1000']));
    const id = await idOf('unsaved');
    const pid = ok(await d.berth(['inspect', '-f', '{{.State.Pid}}', id])).trim();
    await d.crash();
    rewindToCreated(id);
    await d.restart();
    assert.equal(ok(await d.berth(['inspect', '-f', '{{.State.Status}} {{.State.Pid}}', id])).trim(), `running ${pid}`);
    assert.match(ok(await d.docker(['ps', '--format', '{{.Names}} {{.Status}}'])), /^unsaved Up/m);
    ok(await d.berth(['stop', '-t', '1', id]));
    assert.equal(ok(await d.berth(['inspect', '-f', '{{.State.Status}}', id])).trim(), 'exited');
    ok(await d.berth(['start', id]));
    ok(await d.berth(['rm', '-f', id]));
  });

  test('a container that ran and exited while the record said created is recorded as exited with its code', async () => {
    ok(await d.berth(['run', '-d', '--name', 'quick', 'busybox', 'sh', '-c', 'trap "exit 3" TERM; sleep 1000 & wait']));
    const id = await idOf('quick');
    const pid = await pidOf(id);
    await d.crash();
    rewindToCreated(id);
    process.kill(pid, 'SIGTERM');
    await eventually(() => existsSync(exitFile(id)));
    await d.restart();
    assert.equal(ok(await d.berth(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id])).trim(), 'exited 3');
    ok(await d.berth(['rm', id]));
  });

  test('a start cut short after the mount and the network attach leaves no mount, namespace, endpoint or lease', async () => {
    ok(await d.berth(['run', '-d', '--name', 'half', 'busybox', 'sleep', '1000']));
    const id = await idOf('half');
    const pid = await pidOf(id);
    const endpoint = JSON.parse(readFileSync(join(d.dataRoot, 'networks', 'endpoints', `${id}.json`), 'utf8'));
    await d.crash();
    // As if the daemon died before the runtime's start: the record says created, no process, no exit.
    process.kill(pid, 'SIGKILL');
    await eventually(() => existsSync(exitFile(id)));
    rmSync(exitFile(id));
    rewindToCreated(id);
    await d.restart();
    assert.equal(ok(await d.berth(['inspect', '-f', '{{.State.Status}}', id])).trim(), 'created');
    assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(join(d.dataRoot, 'containers', id)), 'rootfs still mounted');
    assert.ok(!existsSync(join(d.dataRoot, 'networks', 'endpoints', `${id}.json`)), 'endpoint still recorded');
    assert.ok(!existsSync(`/run/netns/${endpoint.netnsName}`), 'namespace still there');
    assert.ok(!readdirSync(join(d.dataRoot, 'networks', 'ipam')).some((f) => readFileSync(join(d.dataRoot, 'networks', 'ipam', f), 'utf8').includes(`"${id}"`)), 'address still leased');
    ok(await d.berth(['start', id]));
    assert.equal(ok(await d.berth(['inspect', '-f', '{{.State.Status}}', id])).trim(), 'running');
    ok(await d.berth(['rm', '-f', id]));
  });

  test('an auto-remove container the crash caught before its start is removed at restore, as dockerd does', async () => {
    const id = ok(await d.berth(['create', '--rm', 'busybox', 'true'])).trim();
    await d.crash();
    await d.restart();
    assert.equal((await d.berth(['inspect', id])).code, 1);
    assert.ok(!existsSync(join(d.dataRoot, 'containers', id)));
  });
});

describe('start-up recovery reclaims what containers that are gone left behind', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
  });
  after(async () => { await d?.cleanup(); });

  test('a container whose record a crash lost gives back its mount, namespace, endpoint, address and layers', async () => {
    // an image only the lost containers use: its layer must go with their holds
    const src = join(d.dir, 'only-for-lost');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'marker'), 'lost\n');
    ok(await d.berth(['import', '-c', 'CMD ["true"]', '-', 'only-for-lost:1'], { input: execFileSync('tar', ['-C', src, '-c', '.']) }));
    ok(await d.berth(['run', '-d', '--name', 'lost', 'busybox', 'sleep', '1000']));
    ok(await d.berth(['create', '--name', 'never-saved', 'only-for-lost:1']));
    const lost = ok(await d.berth(['inspect', '-f', '{{.Id}}', 'lost'])).trim();
    const neverSaved = ok(await d.berth(['inspect', '-f', '{{.Id}}', 'never-saved'])).trim();
    const pid = Number(ok(await d.berth(['inspect', '-f', '{{.State.Pid}}', lost])).trim());
    assert.ok(pid > 1);
    const netns = JSON.parse(readFileSync(join(d.dataRoot, 'networks', 'endpoints', `${lost}.json`), 'utf8')).netnsName as string;
    ok(await d.berth(['rmi', '--force', 'only-for-lost:1']));
    await d.crash();
    process.kill(pid, 'SIGKILL');
    await eventually(() => existsSync(join(d.execRoot, 'exits', lost)));
    // As a crash between the layer hold and the record's first write leaves them: no record at all.
    for (const id of [lost, neverSaved]) rmSync(join(d.dataRoot, 'containers', id, 'container.json'));
    await d.restart();
    for (const id of [lost, neverSaved]) {
      assert.equal((await d.berth(['inspect', id])).code, 1);
      assert.ok(!existsSync(join(d.dataRoot, 'containers', id)));
    }
    assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(join(d.dataRoot, 'containers', lost)), 'rootfs still mounted');
    assert.ok(!existsSync(join(d.dataRoot, 'networks', 'endpoints', `${lost}.json`)), 'endpoint still recorded');
    assert.ok(!existsSync(`/run/netns/${netns}`), 'namespace still there');
    assert.ok(!readdirSync(join(d.dataRoot, 'networks', 'ipam')).some((f) => readFileSync(join(d.dataRoot, 'networks', 'ipam', f), 'utf8').includes(lost)), 'address still leased');
    const holds = JSON.parse(readFileSync(join(d.dataRoot, 'image', 'holds.json'), 'utf8'));
    assert.deepEqual(Object.keys(holds).filter((h) => h.includes(lost) || h.includes(neverSaved)), []);
    // the force-removed image's layers went with the last holds; busybox's stay
    assert.equal(readdirSync(join(d.dataRoot, 'layers')).filter((n) => !n.startsWith('.')).length, Number(ok(await d.berth(['image', 'inspect', '-f', '{{len .RootFS.Layers}}', 'busybox'])).trim()));
  });
});

describe('berthd --cleanup removes what this daemon installed, and only that', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  const tag = randomBytes(3).toString('hex');
  const decoyBridge = `bd${tag}`;
  const decoyChain = `BERTH-DECOY-${tag}`;
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
  });
  after(async () => {
    spawnSync('ip', ['link', 'del', decoyBridge], { stdio: 'ignore' });
    for (const table of ['nat', 'filter']) {
      spawnSync('iptables', ['-w', '-t', table, '-F', decoyChain], { stdio: 'ignore' });
      spawnSync('iptables', ['-w', '-t', table, '-X', decoyChain], { stdio: 'ignore' });
    }
    await d?.cleanup();
  });

  const rulesFor = (subnet: string): string[] => execFileSync('iptables-save', { encoding: 'utf8' }).split('\n').filter((l) => l.includes(subnet) && !l.includes(decoyChain));
  const linkExists = (name: string): boolean => existsSync(`/sys/class/net/${name}`);

  test('SIGTERM keeps the bridge and rules for live restore; --cleanup refuses while containers run, then removes them and leaves another engine\'s bridge and chain', async () => {
    // Another engine's state on the same subnet: it must survive.
    execFileSync('ip', ['link', 'add', 'name', decoyBridge, 'type', 'bridge']);
    for (const table of ['nat', 'filter']) {
      execFileSync('iptables', ['-w', '-t', table, '-N', decoyChain]);
      execFileSync('iptables', ['-w', '-t', table, '-A', decoyChain, '-s', d.subnet, '-j', 'RETURN']);
    }
    ok(await d.berth(['run', '-d', '--name', 'kept', 'busybox', 'sleep', '1000']));
    const pid = Number(ok(await d.berth(['inspect', '-f', '{{.State.Pid}}', 'kept'])).trim());
    assert.ok(pid > 1);
    const ours = rulesFor(d.subnet);
    assert.ok(ours.length > 0, 'netavark installed no rule for the subnet');
    const chains = new Set([...ours.join('\n').matchAll(/-j (NETAVARK-[0-9A-F]+)/g)].map((m) => m[1]!));

    const beside = await d.berthd(['--cleanup']);
    assert.equal(beside.code, 1, 'cleanup beside a running berthd');
    await d.stop();
    assert.ok(existsSync(`/proc/${pid}`), 'SIGTERM stopped a container');
    assert.ok(linkExists(d.bridge));
    assert.deepEqual(rulesFor(d.subnet), ours, 'SIGTERM changed the rules');

    const refused = await d.berthd(['--cleanup']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Cannot clean up while containers run: kept/);
    assert.ok(existsSync(`/proc/${pid}`) && linkExists(d.bridge));

    await d.restart();
    ok(await d.berth(['rm', '-f', 'kept']));
    await d.stop();
    const done = await d.berthd(['--cleanup']);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, new RegExp(`removed bridge ${d.bridge}`));
    assert.ok(!linkExists(d.bridge), 'bridge left');
    assert.ok(!readdirSync('/sys/class/net').some((n) => n.startsWith(`${d.bridge.slice(0, 9)}-k`)), 'keeper left');
    assert.deepEqual(rulesFor(d.subnet), [], 'rules left');
    const saved = execFileSync('iptables-save', { encoding: 'utf8' });
    for (const c of chains) assert.ok(!saved.includes(`:${c} `), `chain ${c} left`);
    // the other engine's bridge and chain are untouched
    assert.ok(linkExists(decoyBridge));
    for (const table of ['nat', 'filter']) {
      assert.match(execFileSync('iptables', ['-w', '-t', table, '-S', decoyChain], { encoding: 'utf8' }), new RegExp(`-A ${decoyChain} -s ${d.subnet.replace(/\./g, '\\.')} -j RETURN`));
    }
    // and the daemon starts again on the same state, making its bridge anew
    await d.restart();
    assert.equal(ok(await d.berth(['run', '--rm', 'busybox', 'echo', 'again'])), 'again\n');
  });
});
