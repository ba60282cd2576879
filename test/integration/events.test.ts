import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DOCKER, eventually, isRoot, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';

const skip = !isRoot() && 'needs root';

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

/** Unix seconds with nanoseconds, as the API takes them. */
function nowStamp(): string {
  return (Date.now() / 1000).toFixed(3);
}

/** What docker's and berth's `events` print for a container event, in a form that does not depend on IDs or times. */
const ROW = '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}{{with .Actor.Attributes.signal}} signal={{.}}{{end}}{{with .Actor.Attributes.exitCode}} exitCode={{.}}{{end}}{{with .Actor.Attributes.oldName}} oldName={{.}}{{end}}';

describe('events', { skip }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
  });
  after(async () => { await d?.cleanup(); });

  for (const client of ['berth', 'docker'] as const) {
    test(`events --since --until --filter through ${client} shows a scripted lifecycle exactly`, async () => {
      const cli = (args: string[]): Promise<RunResult> => d[client](args, { timeoutMs: 60_000 });
      const a = `ev-${client}-a`;
      const b = `ev-${client}-b`;
      const img = `ev-${client}-img`;
      const t0 = nowStamp();
      // PID 1 ignores SIGTERM unless it traps it: this one exits 0 on it, at once.
      const id = ok(await cli(['create', '--name', a, '-l', 'tier=events', 'busybox', 'sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.05; done'])).trim();
      ok(await cli(['start', a]));
      ok(await cli(['rename', a, b]));
      ok(await cli(['stop', '-t', '30', b]));
      ok(await cli(['start', b]));
      ok(await cli(['restart', '-t', '30', b]));
      ok(await cli(['kill', b]));
      ok(await cli(['rm', b]));
      ok(await cli(['tag', 'busybox', `${img}:1`]));
      ok(await cli(['rmi', `${img}:1`]));
      const busyboxId = ok(await cli(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).trim();
      await new Promise((r) => setImmediate(r));
      const t1 = (Number(nowStamp()) + 0.001).toFixed(3);

      const containers = ok(await cli(['events', '--since', t0, '--until', t1, '--filter', `label=tier=events`, '--format', ROW]));
      assert.deepEqual(containers.trim().split('\n'), [
        `container create ${a}`,
        `container start ${a}`,
        `container rename ${b} oldName=${a}`,
        `container kill ${b} signal=15`,
        `container die ${b} exitCode=0`,
        `container stop ${b}`,
        `container start ${b}`,
        `container kill ${b} signal=15`,
        `container die ${b} exitCode=0`,
        `container stop ${b}`,
        `container start ${b}`,
        `container restart ${b}`,
        `container kill ${b} signal=9`,
        `container die ${b} exitCode=137`,
        `container destroy ${b}`,
      ]);
      const dies = ok(await cli(['events', '--since', t0, '--until', t1, '-f', `container=${id.slice(0, 12)}`, '-f', 'event=die', '--format', '{{.Actor.Attributes.exitCode}}']));
      assert.deepEqual(dies.trim().split('\n'), ['0', '0', '137']);
      const images = ok(await cli(['events', '--since', t0, '--until', t1, '-f', 'type=image', '--format', '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}']));
      assert.deepEqual(images.trim().split('\n'), [`tag ${busyboxId} ${img}:1`, `untag ${busyboxId} ${busyboxId}`]);
      // The whole stream, docker's default lines and {{json .}}: the same through both CLIs.
      for (const format of [[], ['--format', '{{json .}}']]) {
        const args = ['events', '--since', t0, '--until', t1, ...format];
        const ours = ok(await d.berth(args));
        assert.equal(ours, ok(await d.docker(args)));
        assert.ok(ours.split('\n').length >= 17, ours);
      }
      const line = ok(await cli(['events', '--since', t0, '--until', t1, '-f', 'event=create']));
      assert.match(line, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}(Z|[+-]\\d\\d:\\d\\d) container create ${id} \\(image=busybox, name=${a}, tier=events\\)\\n$`));
    });
  }

  test('export, resize, oom, prune, save, load, import and rmi publish their events', async () => {
    const t0 = nowStamp();
    const run = ok(await d.docker(['run', '-d', '-t', '--name', 'ev-io', 'busybox', 'sleep', '600'])).trim();
    const resize = await d.api('POST', `/containers/${run}/resize?h=30&w=100`);
    assert.equal(resize.status, 200, resize.body);
    const tar = join(d.dir, 'ev-export.tar');
    ok(await d.docker(['export', '-o', tar, 'ev-io']));
    ok(await d.docker(['rm', '-f', 'ev-io']));
    // tail keeps every byte of a line that never ends: the memory limit's OOM killer ends it.
    const oom = await d.docker(['run', '--name', 'ev-oom', '-m', '16m', '--memory-swap', '16m', 'busybox', 'tail', '/dev/zero'], { timeoutMs: 120_000 });
    assert.equal(oom.code, 137, oom.stderr);
    const pruned = ok(await d.docker(['container', 'prune', '-f']));
    assert.match(pruned, /Total reclaimed space/);
    const imported = ok(await d.docker(['import', '-c', 'LABEL team=events', tar, 'ev-imported:1'])).trim();
    const saved = join(d.dir, 'ev-save.tar');
    ok(await d.docker(['save', '-o', saved, 'ev-imported:1']));
    ok(await d.docker(['rmi', 'ev-imported:1']));
    ok(await d.docker(['load', '-i', saved]));
    ok(await d.docker(['rmi', 'ev-imported:1']));
    ok(await d.docker(['image', 'prune', '-f']));
    await new Promise((r) => setImmediate(r));
    const t1 = (Number(nowStamp()) + 0.001).toFixed(3);

    const since = ['events', '--since', t0, '--until', t1];
    const containers = ok(await d.docker([...since, '-f', 'type=container', '--format', '{{.Action}} {{.Actor.Attributes.name}}{{with .Actor.Attributes.height}} {{.}}x{{end}}{{with .Actor.Attributes.width}}{{.}}{{end}}{{with .Actor.Attributes.exitCode}} exitCode={{.}}{{end}}']));
    const lines = containers.trim().split('\n');
    for (const want of ['resize ev-io 30x100', 'export ev-io', 'kill ev-io', 'die ev-io exitCode=137', 'destroy ev-io', 'oom ev-oom', 'die ev-oom exitCode=137', 'destroy ev-oom']) {
      assert.ok(lines.includes(want), `${want} missing from:\n${containers}`);
    }
    assert.ok(lines.indexOf('oom ev-oom') < lines.indexOf('die ev-oom exitCode=137'), containers);
    const prune = ok(await d.docker([...since, '-f', 'type=container', '-f', 'event=prune', '--format', '{{.Actor.ID}}|{{.Actor.Attributes.reclaimed}}']));
    assert.match(prune, /^\|\d+\n$/);
    const images = ok(await d.docker([...since, '-f', 'type=image', '--format', '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}} {{.Actor.Attributes.team}}']));
    assert.deepEqual(images.trim().split('\n'), [
      `tag ${imported} ev-imported:1 events`,
      `import ${imported} ${imported} events`,
      `save ${imported} ${imported} events`,
      `untag ${imported} ${imported} events`,
      `delete ${imported} ${imported} <no value>`,
      `load ${imported} ${imported} events`,
      `untag ${imported} ${imported} events`,
      `delete ${imported} ${imported} <no value>`,
      `prune  <no value> <no value>`,
    ]);
  });

  test('stop with a timeout beyond setTimeout\'s range waits for the stop signal instead of killing at once', async () => {
    const t0 = nowStamp();
    ok(await d.docker(['run', '-d', '--name', 'ev-longstop', 'busybox', 'sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.05; done']));
    ok(await d.docker(['stop', '-t', '3000000', 'ev-longstop']));
    assert.equal(ok(await d.docker(['inspect', '-f', '{{.State.ExitCode}}', 'ev-longstop'])).trim(), '0');
    ok(await d.docker(['rm', 'ev-longstop']));
    const t1 = (Number(nowStamp()) + 0.001).toFixed(3);
    const kills = ok(await d.docker(['events', '--since', t0, '--until', t1, '-f', 'container=ev-longstop', '-f', 'event=kill', '--format', '{{.Actor.Attributes.signal}}']));
    assert.equal(kills, '15\n');
  });

  test('a live stream sees die with its exit code and destroy, and ends by itself when until passes', async () => {
    const name = 'ev-live';
    // --since replays what happened before the CLI subscribed, so nothing is lost to the race.
    const since = nowStamp();
    const until = (Date.now() / 1000 + 120).toFixed(3);
    const watcher = follow(['events', '--since', since, '--until', until, '--filter', `container=${name}`, '--format', '{{.Action}}{{with .Actor.Attributes.exitCode}} {{.}}{{end}}']);
    try {
      ok(await d.docker(['create', '--name', name, 'busybox', 'sh', '-c', 'exit 7']));
      assert.equal((await d.docker(['start', '-a', name])).code, 7);
      ok(await d.docker(['rm', name]));
      await eventually(() => watcher.out().includes('destroy'), 30_000);
      assert.deepEqual(watcher.out().trim().split('\n'), ['create', 'attach', 'start', 'die 7', 'destroy']);
      assert.equal(watcher.exitCode(), null, 'the stream is still open');
    } finally {
      watcher.stop();
    }
    // until passes: the daemon ends the stream and the CLI exits 0.
    const shortUntil = (Date.now() / 1000 + 1.5).toFixed(3);
    const r = await d.docker(['events', '--until', shortUntil], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
  });

  test('20 subscribers, one never reading, do not slow run --rm', async () => {
    const timeRun = async (): Promise<number> => {
      const t = performance.now();
      ok(await d.docker(['run', '--rm', 'busybox', 'true']));
      return performance.now() - t;
    };
    const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    await timeRun(); // warm caches
    // Rounds alternate so that the machine's drift (other work on its 2 cores) falls on both sides.
    const alone: number[] = [];
    const watched: number[] = [];
    let received = 0;
    for (let round = 0; round < 4; round++) {
      alone.push(await timeRun(), await timeRun());
      const subs = Array.from({ length: 20 }, (_, i) => subscribe(d.sock, { read: i !== 0 }));
      try {
        await Promise.all(subs.map((s) => s.ready));
        watched.push(await timeRun(), await timeRun());
        const readers = subs.slice(1);
        // Each run --rm is at least create, start, die and destroy for every reader.
        await eventually(() => readers.every((s) => s.received() >= 8), 30_000);
        received += readers.reduce((n, s) => n + s.received(), 0);
      } finally {
        for (const s of subs) s.close();
      }
    }
    const ratio = median(watched) / median(alone);
    process.stdout.write(`# run --rm busybox true, median of ${alone.length}: ${median(alone).toFixed(0)} ms alone, ${median(watched).toFixed(0)} ms with 20 subscribers (ratio ${ratio.toFixed(3)}); ${received} events delivered\n`);
    // A generous bound for a shared, busy machine; bench/events-subscribers.mjs measures the ratio itself.
    assert.ok(ratio < 1.5, `ratio ${ratio}`);
  });

  test('a subscriber that never reads is cut off once it falls far behind; a reading one gets every event', async () => {
    const stuck = subscribe(d.sock, { read: false });
    const reader = subscribe(d.sock, { read: true });
    await Promise.all([stuck.ready, reader.ready]);
    const tags = 2500;
    for (let i = 0; i < tags; i += 25) {
      await Promise.all(Array.from({ length: 25 }, async (_, j) => {
        const r = await d.api('POST', `/images/busybox/tag?repo=ev-flood&tag=t${i + j}`);
        assert.equal(r.status, 201, r.body);
      }));
    }
    await eventually(() => reader.received() >= tags, 60_000);
    // What the stuck one still gets is what was on the wire before the daemon gave up on it.
    const ended = await stuck.drain();
    assert.ok(ended.error, 'the stream ends with an error, not a clean end');
    assert.ok(ended.received < tags, `received ${ended.received} of ${tags}`);
    reader.close();
  });

  function follow(args: string[]): { out: () => string; exitCode: () => number | null; stop: () => void } {
    const child: ChildProcess = spawn(DOCKER, ['-H', d.host, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DOCKER_CONFIG: join(d.dir, 'docker-config') } });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
    return { out: () => out, exitCode: () => child.exitCode, stop: () => { if (child.exitCode === null) child.kill('SIGTERM'); } };
  }
});

/** A raw GET /events subscriber; one that does not read leaves its bytes in the socket until drain(). */
function subscribe(sock: string, opts: { read: boolean }): {
  ready: Promise<void>; received: () => number; close: () => void; drain: () => Promise<{ received: number; error: boolean }>;
} {
  let count = 0;
  let req: ClientRequest | undefined;
  let response: IncomingMessage | undefined;
  const count_ = (b: Buffer): void => { count += b.toString().split('\n').length - 1; };
  const ready = new Promise<void>((resolve, reject) => {
    req = request({ socketPath: sock, path: '/v1.47/events' }, (res: IncomingMessage) => {
      response = res;
      resolve();
      if (!opts.read) { res.pause(); return; }
      res.on('data', count_);
    });
    req.on('error', (e) => { if (!response) reject(e); });
    req.end();
  });
  const drain = (): Promise<{ received: number; error: boolean }> => new Promise((resolve) => {
    const res = response!;
    let error = false;
    res.on('error', () => { error = true; });
    res.on('aborted', () => { error = true; });
    res.on('data', count_);
    res.on('close', () => resolve({ received: count, error: error || !res.complete }));
    res.resume();
  });
  return { ready, received: () => count, close: () => req?.destroy(), drain };
}
