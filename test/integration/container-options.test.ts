import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, isRoot, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

describe('container options, logs and listing (berth CLI)', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  const berth = (args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<RunResult> => d.berth(args, opts);
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
  });
  after(async () => { await d?.cleanup(); });

  test('logs: -t prefixes RFC 3339 times, --since/--until select, -f follows to the exit', async () => {
    ok(await berth(['run', '-d', '--name', 'talker', 'busybox', 'sh', '-c', 'echo one; sleep 1; echo two; sleep 1; echo three']));
    const followed = ok(await berth(['logs', '-f', 'talker'], { timeoutMs: 20_000 }));
    assert.equal(followed, 'one\ntwo\nthree\n');
    const stamped = ok(await berth(['logs', '-t', 'talker'])).trim().split('\n');
    assert.equal(stamped.length, 3);
    for (const line of stamped) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z (one|two|three)$/);
    const second = stamped[1]!.split(' ')[0]!;
    assert.equal(ok(await berth(['logs', '--since', second, 'talker'])), 'two\nthree\n');
    assert.equal(ok(await berth(['logs', '--until', second, 'talker'])), 'one\n');
    assert.equal(ok(await berth(['logs', '--tail', '2', 'talker'])), 'two\nthree\n');
  });

  test('ps: -l, -n, -s, --no-trunc and status filters', async () => {
    ok(await berth(['run', '-d', '--name', 'first', 'busybox', 'sleep', '300']));
    assert.equal((await berth(['run', '--name', 'second', 'busybox', 'sh', '-c', 'echo x > /tmp/f; exit 2'])).code, 2);
    assert.equal(ok(await berth(['ps', '-l', '--format', '{{.Names}}'])).trim(), 'second');
    assert.equal(ok(await berth(['ps', '-n', '2', '--format', '{{.Names}}'])).trim().split('\n').length, 2);
    assert.match(ok(await berth(['ps', '-s', '-a', '--filter', 'name=second'])), /SIZE\n.*\d+B \(virtual \d/);
    assert.match(ok(await berth(['ps', '--no-trunc', '-q'])), /^[a-f0-9]{64}$/m);
    assert.equal(ok(await berth(['ps', '-a', '--filter', 'exited=2', '--format', '{{.Names}}'])).trim(), 'second');
    assert.equal(ok(await berth(['ps', '--filter', 'status=running', '--format', '{{.Names}}'])).trim(), 'first');
    ok(await berth(['rm', '-f', 'first', 'second']));
  });

  test('--ulimit, --cpu-shares, --cpuset-cpus and --memory-swap reach the container', async () => {
    const out = ok(await berth(['run', '--rm', '--ulimit', 'nofile=1024:2048', '--cpu-shares', '512', '--cpuset-cpus', '0',
      '-m', '32m', '--memory-swap', '64m', 'busybox', 'sh', '-c',
      'ulimit -n; ulimit -Hn; cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpuset/cpuset.cpus /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes 2>/dev/null || true']));
    const lines = out.trim().split('\n');
    assert.deepEqual(lines.slice(0, 4), ['1024', '2048', '512', '0']);
  });

  test('--env-file and --label-file are read by the client', async () => {
    const envFile = join(d.dir, 'env.list');
    const labelFile = join(d.dir, 'labels.list');
    writeFileSync(envFile, '# comment\nFROM_FILE=yes\nEMPTY=\n');
    writeFileSync(labelFile, 'team=core\n');
    assert.equal(ok(await berth(['run', '--rm', '--env-file', envFile, 'busybox', 'sh', '-c', 'echo $FROM_FILE'])), 'yes\n');
    ok(await berth(['create', '--name', 'labelled', '--label-file', labelFile, 'busybox', 'true']));
    assert.equal(ok(await berth(['inspect', '-f', '{{index .Config.Labels "team"}}', 'labelled'])).trim(), 'core');
    ok(await berth(['rm', 'labelled']));
  });

  test('--stop-timeout and --stop-signal decide how stop ends a container', async () => {
    ok(await berth(['run', '-d', '--name', 'stubborn', '--stop-timeout', '1', 'busybox', 'sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done']));
    const t0 = Date.now();
    ok(await berth(['stop', 'stubborn']));
    const took = Date.now() - t0;
    assert.ok(took >= 900 && took < 8000, `stop took ${took} ms`);
    assert.equal(ok(await berth(['inspect', '-f', '{{.State.ExitCode}}', 'stubborn'])).trim(), '137');
    ok(await berth(['run', '-d', '--name', 'usr1', '--stop-signal', 'SIGUSR1', 'busybox', 'sh', '-c', 'trap "exit 10" USR1; while true; do sleep 0.1; done']));
    ok(await berth(['stop', 'usr1']));
    assert.equal(ok(await berth(['inspect', '-f', '{{.State.ExitCode}}', 'usr1'])).trim(), '10');
    ok(await berth(['rm', 'stubborn', 'usr1']));
  });

  test('restart policies: on-failure:N stops after N restarts, unless-stopped keeps going', async () => {
    ok(await berth(['run', '-d', '--name', 'flaky', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 3']));
    await eventually(async () => ok(await berth(['inspect', '-f', '{{.RestartCount}} {{.State.Status}}', 'flaky'])).trim() === '2 exited', 20_000);
    ok(await berth(['run', '-d', '--name', 'steady', '--restart', 'unless-stopped', 'busybox', 'sh', '-c', 'sleep 0.2; exit 0']));
    await eventually(async () => Number(ok(await berth(['inspect', '-f', '{{.RestartCount}}', 'steady'])).trim()) >= 2, 20_000);
    ok(await berth(['stop', 'steady']));
    assert.equal(ok(await berth(['inspect', '-f', '{{.State.Status}}', 'steady'])).trim(), 'exited');
    ok(await berth(['rm', '-f', 'flaky', 'steady']));
  });

  test('bad input: flag errors exit 125, bad names and rename conflicts are refused', async () => {
    const flag = await berth(['run', '--no-such-flag', 'busybox']);
    assert.equal(flag.code, 125);
    assert.match(flag.stderr, /unknown flag: --no-such-flag/);
    const name = await berth(['create', '--name', 'bad name!', 'busybox', 'true']);
    assert.notEqual(name.code, 0);
    assert.match(name.stderr, /Invalid container name \(bad name!\)/);
    ok(await berth(['create', '--name', 'a1', 'busybox', 'true']));
    ok(await berth(['create', '--name', 'b1', 'busybox', 'true']));
    const clash = await berth(['rename', 'a1', 'b1']);
    assert.notEqual(clash.code, 0);
    assert.match(clash.stderr, /Conflict\. The container name "\/b1" is already in use/);
    const mem = await berth(['run', '--rm', '-m', '1k', 'busybox', 'true']);
    assert.equal(mem.code, 125);
    assert.match(mem.stderr, /Minimum memory limit allowed is 6MB/);
    ok(await berth(['rm', 'a1', 'b1']));
  });
});

describe('berthd listens on loopback TCP too', { skip: !isRoot() && 'needs root' }, () => {
  test('-H tcp://127.0.0.1:PORT serves the docker CLI', async () => {
    const { spawn, spawnSync } = await import('node:child_process');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/berth-tcp-');
    writeFileSync(join(dir, 'daemon.json'), '{}');
    const port = 23000 + Math.floor(Math.random() * 2000);
    const child = spawn(join(import.meta.dirname, '../../../bin/berthd.js'), ['-H', `tcp://127.0.0.1:${port}`,
      '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'pid'), '--config-file', join(dir, 'daemon.json'),
      '--bridge', `bq${port}`, '--bip', '172.30.250.0/24'], { stdio: 'ignore' });
    try {
      const { run, DOCKER } = await import('./harness.js');
      const r = await eventually(async () => {
        const v = await run(DOCKER, ['-H', `tcp://127.0.0.1:${port}`, 'version', '--format', '{{.Server.Version}}']);
        return v.code === 0 ? v : undefined;
      });
      assert.equal(r.stdout.trim(), '0.1.0');
      const refused = await run(join(import.meta.dirname, '../../../bin/berthd.js'), ['-H', 'tcp://0.0.0.0:2375', '--config-file', join(dir, 'daemon.json')]);
      assert.equal(refused.code, 125);
      assert.match(refused.stderr, /loopback only/);
    } finally {
      child.kill('SIGTERM');
      const code = await new Promise((r) => child.once('exit', r));
      const left = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(dir));
      for (const m of left.reverse()) spawnSync('umount', ['-l', m]);
      rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0, 'berthd stops cleanly on SIGTERM');
      assert.deepEqual(left, [], 'berthd leaves nothing mounted when it stops');
    }
  });
});
