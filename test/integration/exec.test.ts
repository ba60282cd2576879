import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, isRoot, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';

const skip = !isRoot() && 'needs root';

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

describe('exec and top', { skip }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
    ok(await d.berth(['run', '-d', '--name', 'ex', '-e', 'FROMC=c', '-w', '/home', 'busybox', 'sleep', '1000']));
  });
  after(async () => { await d?.cleanup(); });

  for (const client of ['berth', 'docker'] as const) {
    test(`exec through ${client}: output on its streams, the process's exit code, 126 and 127`, async () => {
      const cli = (args: string[], input?: string): Promise<RunResult> => d[client](args, { timeoutMs: 60_000, ...(input !== undefined ? { input } : {}) });
      const r = await cli(['exec', 'ex', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
      assert.equal(r.code, 7);
      assert.equal(r.stdout, 'out\n');
      assert.equal(r.stderr, 'err\n');
      const missing = await cli(['exec', 'ex', 'no-such-command']);
      assert.equal(missing.code, 127, missing.stderr + missing.stdout);
      assert.match(missing.stdout + missing.stderr, /executable file not found in \$PATH/);
      const notExecutable = await cli(['exec', 'ex', '/etc/passwd']);
      assert.equal(notExecutable.code, 126, notExecutable.stderr + notExecutable.stdout);
      // The environment (the container's, then the exec's), the working directory and the user.
      const env = ok(await cli(['exec', '-e', 'FOO=bar', '-u', 'nobody', 'ex', 'sh', '-c', 'echo $FROMC $FOO $(pwd) $(id -u)']));
      assert.equal(env, 'c bar /home 65534\n');
      assert.equal(ok(await cli(['exec', '-w', '/tmp', 'ex', 'pwd'])), '/tmp\n');
      // stdin closes when the client's does.
      assert.equal(ok(await cli(['exec', '-i', 'ex', 'sh', '-c', 'cat; echo done'], 'hi\n')), 'hi\ndone\n');
      const big = ok(await cli(['exec', 'ex', 'sh', '-c', 'head -c 3000000 /dev/zero | tr "\\0" a']));
      assert.equal(big.length, 3_000_000);
    });
  }

  test('exec -d runs on its own; the exec shows in ExecIDs and GET /exec/{id}/json until it ends', async () => {
    ok(await d.docker(['exec', '-d', 'ex', 'sh', '-c', 'sleep 4; touch /tmp/detached']));
    const ids = JSON.parse(ok(await d.docker(['inspect', '-f', '{{json .ExecIDs}}', 'ex']))) as string[];
    assert.equal(ids.length, 1);
    const running = (await d.api('GET', `/exec/${ids[0]}/json`)).json();
    assert.equal(running.Running, true);
    assert.ok(running.Pid > 0);
    assert.deepEqual(running.ProcessConfig, { privileged: false, user: '', tty: false, entrypoint: 'sh', arguments: ['-c', 'sleep 4; touch /tmp/detached'] });
    const ended = await eventually(async () => {
      const j = (await d.api('GET', `/exec/${ids[0]}/json`)).json();
      return j.Running === false && j;
    }, 30_000);
    assert.equal(ended.ExitCode, 0);
    ok(await d.berth(['exec', 'ex', 'test', '-f', '/tmp/detached']));
    assert.equal(ok(await d.docker(['inspect', '-f', '{{json .ExecIDs}}', 'ex'])).trim(), 'null');
  });

  test('the exec API answers as dockerd: 404 for unknown ids, 409 for a second start, 400 without a command', async () => {
    assert.equal((await d.api('GET', '/exec/nope/json')).status, 404);
    assert.equal((await d.api('POST', '/exec/nope/start', {})).status, 404);
    const none = await d.api('POST', '/containers/ex/exec', { Cmd: [] });
    assert.equal(none.status, 400);
    assert.match(none.json().message, /No exec command specified/);
    assert.equal((await d.api('POST', '/containers/ex/exec', { Cmd: ['true'], DetachKeys: 'ctrl-' })).status, 400);
    const id = (await d.api('POST', '/containers/ex/exec', { Cmd: ['true'] })).json().Id as string;
    assert.equal((await d.api('POST', `/exec/${id}/start`, { Detach: true })).status, 200);
    await eventually(async () => (await d.api('GET', `/exec/${id}/json`)).json().Running === false);
    const again = await d.api('POST', `/exec/${id}/start`, { Detach: true });
    assert.equal(again.status, 409);
    assert.match(again.json().message, /has already run/);
  });

  test('detach keys sent on a TTY exec\'s hijacked connection end it, leave the process running and publish exec_detach', async () => {
    const since = (Date.now() / 1000).toFixed(3);
    const cid = ok(await d.berth(['run', '-d', 'busybox', 'sleep', '1000'])).trim();
    const id = (await d.api('POST', `/containers/${cid}/exec`, { Cmd: ['sh'], Tty: true, AttachStdin: true, AttachStdout: true })).json().Id as string;
    const sock = connect(d.sock);
    const body = JSON.stringify({ Tty: true });
    sock.write(`POST /exec/${id}/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    let seen = '';
    sock.on('data', (b: Buffer) => { seen += b.toString('latin1'); });
    await eventually(() => seen.includes('101') && seen.includes('/ # '));
    const closed = new Promise<void>((r) => sock.once('close', () => r()));
    sock.write(Buffer.from([0x10, 0x11]));
    await closed;
    assert.equal((await d.api('GET', `/exec/${id}/json`)).json().Running, true);
    const events = ok(await d.docker(['events', '--since', since, '--until', (Date.now() / 1000).toFixed(3), '--filter', 'event=exec_detach', '--format', '{{.Action}} {{.Actor.Attributes.execID}}']));
    assert.equal(events.trim(), `exec_detach ${id}`);
    ok(await d.berth(['rm', '-f', cid]));
  });

  test('50 concurrent execs into one container each return their own exit code and output', async () => {
    const runs = await Promise.all(Array.from({ length: 50 }, (_, i) => d.docker(['exec', 'ex', 'sh', '-c', `echo n${i}; exit ${i % 7}`], { timeoutMs: 120_000 })));
    runs.forEach((r, i) => {
      assert.equal(r.code, i % 7, `exec ${i}: ${r.stderr}`);
      assert.equal(r.stdout, `n${i}\n`);
    });
  });

  test('an exec into a container that exits mid-exec ends, and a stopped container refuses execs in dockerd words', async () => {
    const id = ok(await d.berth(['run', '-d', 'busybox', 'sleep', '1000'])).trim();
    const pending = d.docker(['exec', id, 'sh', '-c', 'echo started; sleep 100'], { timeoutMs: 60_000 });
    await eventually(async () => JSON.parse(ok(await d.docker(['inspect', '-f', '{{json .ExecIDs}}', id])) || 'null')?.length === 1);
    ok(await d.berth(['kill', id]));
    const r = await pending;
    assert.notEqual(r.code, 0);
    for (const client of ['berth', 'docker'] as const) {
      const refused = await d[client](['exec', id, 'true']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, new RegExp(`Container ${id} is not running`));
    }
    ok(await d.berth(['rm', id]));
  });

  for (const client of ['berth', 'docker'] as const) {
    test(`top through ${client}: ps's columns for the container's processes only, ps options passed on, ps's error`, async () => {
      const def = ok(await d[client](['top', 'ex'])).split('\n').filter(Boolean);
      assert.match(def[0]!, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
      assert.equal(def.length, 2);
      assert.match(def[1]!, /sleep 1000$/);
      const aux = ok(await d[client](['top', 'ex', 'aux'])).split('\n').filter(Boolean);
      assert.match(aux[0]!, /^USER\s+PID\s+%CPU/);
      const bad = await d[client](['top', 'ex', '--no-such-option']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /Error response from daemon: ps: /);
    });
  }

  test('two attached clients (docker attach, berth attach --no-stdin) see the same output and the exit code', async () => {
    const since = (Date.now() / 1000).toFixed(3);
    const id = ok(await d.berth(['run', '-d', 'busybox', 'sh', '-c', 'while [ ! -f /tmp/go ]; do sleep 0.05; done; echo shared; exit 3'])).trim();
    const a = d.docker(['attach', id], { timeoutMs: 60_000 });
    const b = d.berth(['attach', '--no-stdin', id], { timeoutMs: 60_000 });
    await eventually(async () => ok(await d.docker(['events', '--since', since, '--until', (Date.now() / 1000).toFixed(3), '--filter', `container=${id}`, '--filter', 'event=attach', '--format', '{{.Action}}'])).trim().split('\n').length === 2);
    ok(await d.berth(['exec', id, 'touch', '/tmp/go']));
    const [ra, rb] = await Promise.all([a, b]);
    assert.equal(ra.stdout, 'shared\n');
    assert.equal(rb.stdout, 'shared\n');
    assert.equal(ra.code, 3);
    assert.equal(rb.code, 3);
    ok(await d.berth(['rm', id]));
  });

  test('echo hi | berth run -i busybox cat prints hi and exits 0', async () => {
    const r = await d.berth(['run', '--rm', '-i', 'busybox', 'cat'], { input: 'hi\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n');
  });

  test('exec folders a killed daemon left: an ended exec\'s goes at start-up, a running one\'s when it ends; no conmon is left', async () => {
    const execs = join(d.execRoot, 'exec');
    const folders = async (): Promise<Map<string, string[]>> => {
      const m = new Map<string, string[]>();
      for (const n of await readdir(execs).catch(() => [] as string[])) {
        const spec = await readFile(join(execs, n, 'process.json'), 'utf8').catch(() => '');
        if (spec) m.set(n, (JSON.parse(spec) as { args: string[] }).args);
      }
      return m;
    };
    const conmonAlive = async (n: string): Promise<boolean> => {
      const pid = Number((await readFile(join(execs, n, 'conmon.pid'), 'utf8').catch(() => '')).trim());
      return pid > 0 && (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).includes(join(execs, n));
    };
    ok(await d.docker(['exec', '-d', 'ex', 'sleep', '2']));
    ok(await d.docker(['exec', '-d', 'ex', 'sleep', '1000']));
    const before_ = await folders();
    const short = [...before_].find(([, a]) => a.join(' ') === 'sleep 2')?.[0];
    const long = [...before_].find(([, a]) => a.join(' ') === 'sleep 1000')?.[0];
    assert.ok(short && long, `both execs have their folders: ${JSON.stringify([...before_])}`);
    await d.crash();
    // The short exec ends while no daemon runs: its conmon exits and leaves the folder.
    await eventually(async () => !(await conmonAlive(short)), 20_000);
    assert.ok(existsSync(join(execs, short)));
    await d.restart();
    assert.equal(existsSync(join(execs, short)), false, 'the ended exec\'s folder went at start-up');
    assert.ok(existsSync(join(execs, long)) && await conmonAlive(long), 'the running exec goes on');
    // Its process ends: the folder follows, and its conmon is gone.
    const pid = Number((await readFile(join(execs, long, 'pidfile'), 'utf8')).trim());
    process.kill(pid, 'SIGKILL');
    await eventually(async () => !existsSync(join(execs, long)), 20_000);
    assert.equal(await conmonAlive(long), false);
    ok(await d.docker(['exec', 'ex', 'true']));
  });
});

describe('health checks', { skip }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
  });
  after(async () => { await d?.cleanup(); });

  const health = async (name: string): Promise<{ Status: string; FailingStreak: number; Log: Array<{ ExitCode: number; Output: string; Start: string }> }> =>
    JSON.parse(ok(await d.docker(['inspect', '-f', '{{json .State.Health}}', name])));

  test('--health-* through berth: starting, unhealthy after the retries, healthy; ps status and filter; events; the last 5 results', async () => {
    const since = (Date.now() / 1000).toFixed(3);
    // An hour between probes: it stays starting.
    ok(await d.berth(['run', '-d', '--name', 'hc-s', '--health-cmd', 'true', '--health-interval', '1h', 'busybox', 'sleep', '1000']));
    assert.equal((await health('hc-s')).Status, 'starting');
    assert.match(ok(await d.docker(['ps', '--filter', 'health=starting', '--format', '{{.Names}} {{.Status}}'])), /^hc-s Up .* \(health: starting\)$/m);
    ok(await d.berth(['rm', '-f', 'hc-s']));
    ok(await d.berth(['run', '-d', '--name', 'hc', '--health-cmd', 'echo probe; test -f /tmp/ok', '--health-interval', '200ms', '--health-retries', '2', 'busybox', 'sleep', '1000']));
    await eventually(async () => (await health('hc')).Status === 'unhealthy');
    assert.match(ok(await d.berth(['ps', '--filter', 'health=unhealthy', '--format', '{{.Names}} {{.Status}}'])), /^hc Up .* \(unhealthy\)$/m);
    ok(await d.berth(['exec', 'hc', 'touch', '/tmp/ok']));
    await eventually(async () => (await health('hc')).Status === 'healthy');
    assert.match(ok(await d.docker(['ps', '--filter', 'health=healthy', '--format', '{{.Names}} {{.Status}}'])), /^hc Up .* \(healthy\)$/m);
    assert.equal(ok(await d.docker(['ps', '-q', '--filter', 'health=unhealthy'])), '');
    await eventually(async () => (await health('hc')).Log.length === 5, 20_000);
    const h = await health('hc');
    assert.equal(h.FailingStreak, 0);
    assert.equal(h.Log.at(-1)!.ExitCode, 0);
    assert.equal(h.Log.at(-1)!.Output, 'probe\n');
    const events = ok(await d.docker(['events', '--since', since, '--until', (Date.now() / 1000).toFixed(3), '--filter', 'container=hc', '--filter', 'event=health_status', '--format', '{{.Action}}']));
    assert.deepEqual(events.trim().split('\n'), ['health_status: unhealthy', 'health_status: healthy']);
    const bad = await d.docker(['ps', '--filter', 'health=sick']);
    assert.match(bad.stderr, /Unrecognised filter value for health: sick/);
    ok(await d.berth(['rm', '-f', 'hc']));
  });

  test('HEALTHCHECK from the image config through docker; --no-healthcheck turns it off; a probe past its timeout fails with dockerd\'s text', async () => {
    const exported = await d.berth(['create', 'busybox']);
    const id = ok(exported).trim();
    const tar = `${d.dir}/busybox.tar`;
    ok(await d.berth(['export', '-o', tar, id]));
    ok(await d.docker(['import', '-c', 'HEALTHCHECK --interval=200ms --timeout=300ms --retries=1 CMD ["sh", "-c", "sleep 5"]', tar, 'hc-image']));
    ok(await d.docker(['run', '-d', '--name', 'hc-img', 'hc-image', 'sleep', '1000']));
    ok(await d.docker(['run', '-d', '--name', 'hc-none', '--no-healthcheck', 'hc-image', 'sleep', '1000']));
    await eventually(async () => (await health('hc-img')).Status === 'unhealthy', 20_000);
    assert.match((await health('hc-img')).Log[0]!.Output, /^Health check exceeded timeout \(0\.3s\)/);
    assert.equal(ok(await d.docker(['inspect', '-f', '{{json .State.Health}}', 'hc-none'])).trim(), 'null');
    assert.match(ok(await d.docker(['ps', '--filter', 'health=none', '--format', '{{.Names}}'])), /hc-none/);
    ok(await d.berth(['rm', '-f', 'hc-img', 'hc-none', id]));
  });

  test('probes go on after a daemon restart; a stopped container\'s check reads unhealthy', async () => {
    ok(await d.berth(['run', '-d', '--name', 'hc-r', '--health-cmd', 'true', '--health-interval', '200ms', 'busybox', 'sleep', '1000']));
    await eventually(async () => (await health('hc-r')).Status === 'healthy');
    await d.stop();
    const stoppedAt = new Date().toISOString();
    await d.restart();
    await eventually(async () => (await health('hc-r')).Log.some((r) => r.Start > stoppedAt && r.ExitCode === 0), 20_000);
    assert.equal((await health('hc-r')).Status, 'healthy');
    // dockerd's rule: a check whose container stopped reads unhealthy.
    ok(await d.berth(['kill', 'hc-r']));
    assert.equal((await health('hc-r')).Status, 'unhealthy');
    ok(await d.berth(['rm', '-f', 'hc-r']));
  });

  test('a probe runs as docker exec would: user, groups, capabilities, no_new_privs, seccomp, cgroups, namespaces, cwd, env, rlimits; output cut at 4096 bytes', async () => {
    const probe = 'id; grep -E "^(Cap|NoNewPrivs|Seccomp)" /proc/self/status; cat /proc/self/cgroup; for n in cgroup ipc mnt net pid uts; do readlink /proc/self/ns/$n; done; pwd; echo $FOO; ulimit -n';
    for (const [name, opts] of [
      ['hc-conf', ['--user', 'nobody', '-w', '/tmp', '-e', 'FOO=bar', '--ulimit', 'nofile=512:512']],
      ['hc-nnp', ['--security-opt', 'no-new-privileges', '--cap-drop', 'ALL', '--cap-add', 'NET_RAW', '--user', '0']],
      ['hc-priv', ['--privileged']],
      // runc keeps no compiled seccomp filter: its containers are probed through conmon, the same way.
      ['hc-runc', ['--runtime', 'runc', '--user', 'nobody']],
    ] as const) {
      ok(await d.docker(['run', '-d', '--name', name, ...opts, '--health-cmd', probe, '--health-interval', '300ms', 'busybox', 'sleep', '1000']));
      const got = await eventually(async () => (await health(name)).Log.find((r) => r.ExitCode === 0)?.Output, 30_000);
      const want = ok(await d.docker(['exec', name, 'sh', '-c', probe]));
      assert.equal(got, want, name);
    }
    assert.match((await health('hc-nnp')).Log[0]!.Output, /NoNewPrivs:\t1/);
    assert.match((await health('hc-conf')).Log[0]!.Output, /^uid=65534\(nobody\) gid=65534/m);
    // Docker's cap on a probe's output: its first 4096 bytes.
    ok(await d.docker(['run', '-d', '--name', 'hc-big', '--health-cmd', 'head -c 10000 /dev/zero | tr "\\0" a', '--health-interval', '300ms', 'busybox', 'sleep', '1000']));
    const big = await eventually(async () => (await health('hc-big')).Log[0]?.Output, 30_000);
    assert.equal(big, 'a'.repeat(4096) + '...');
    // The exec form with a missing program: runc's words and -1, as dockerd reports a probe that could not start.
    const created = await d.api('POST', '/containers/create?name=hc-missing', { Image: 'busybox', Cmd: ['sleep', '1000'], Healthcheck: { Test: ['CMD', 'no-such-probe'], Interval: 300_000_000 } });
    assert.equal(created.status, 201, created.body);
    ok(await d.docker(['start', 'hc-missing']));
    const missing = await eventually(async () => (await health('hc-missing')).Log[0], 30_000);
    assert.equal(missing.ExitCode, -1);
    assert.match(missing.Output, /executable file not found in \$PATH/);
    ok(await d.docker(['rm', '-f', 'hc-conf', 'hc-nnp', 'hc-priv', 'hc-runc', 'hc-big', 'hc-missing']));
  });
});
