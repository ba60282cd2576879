import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, isRoot, startDaemon, withBusybox, type TestDaemon } from './harness.js';

describe('restart policies', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  before(async () => { d = await startDaemon(); await withBusybox(d); });
  after(async () => { await d?.cleanup(); });

  const state = async (name: string): Promise<string> => (await d.docker(['inspect', '-f', '{{.State.Status}} {{.RestartCount}}', name])).stdout.trim();

  test('a failing "always" container restarts with a back-off of 100 ms doubling, counted in RestartCount', async () => {
    const since = (Date.now() / 1000 - 1).toFixed(3);
    const r = await d.docker(['run', '-d', '--name', 'flap', '--restart', 'always', 'busybox', 'sh', '-c', 'exit 3']);
    assert.equal(r.code, 0, r.stderr);
    await eventually(async () => Number((await state('flap')).split(' ')[1]) >= 7, 60_000);
    const ev = await d.docker(['events', '--since', since, '--until', (Date.now() / 1000).toFixed(3), '--filter', 'container=flap', '--format', '{{.Action}} {{.TimeNano}}']);
    const rows = ev.stdout.trim().split('\n').map((l) => l.split(' ')).map(([a, t]) => ({ a: a!, t: Number(BigInt(t!) / 1_000_000n) }));
    // The wait between a die and the start after it is the back-off (plus the start's own time).
    const gaps: number[] = [];
    for (let i = 0; i + 1 < rows.length; i++) if (rows[i]!.a === 'die' && rows[i + 1]!.a === 'start') gaps.push(rows[i + 1]!.t - rows[i]!.t);
    assert.ok(gaps.length >= 6, `events: ${ev.stdout}`);
    [100, 200, 400, 800, 1600, 3200].forEach((delay, i) => assert.ok(gaps[i]! >= delay - 5, `gap ${i}: ${gaps[i]} ms, back-off ${delay} ms`));
    // Each gap is the back-off plus the start's own time, which a loaded machine stretches.
    assert.ok(gaps[5]! > gaps[0]! + 2000, `the back-off grows: ${gaps.join(', ')}`);
    // A stop holds: no restart after it.
    const stop = await d.docker(['stop', 'flap']);
    assert.equal(stop.code, 0, stop.stderr);
    const count = (await state('flap')).split(' ')[1];
    assert.equal((await state('flap')).split(' ')[0], 'exited');
    await new Promise((res) => setTimeout(res, 1500)); // a restart would be due well within this
    assert.equal(await state('flap'), `exited ${count}`);
    // A start by the user counts afresh.
    await d.docker(['update', '--restart', 'no', 'flap']);
    await d.docker(['start', 'flap']);
    await eventually(async () => (await state('flap')).startsWith('exited'));
    assert.equal(await state('flap'), 'exited 0');
    await d.docker(['rm', '-f', 'flap']);
  });

  test('after a daemon restart a stopped "always" container runs again, a stopped "unless-stopped" one does not', async () => {
    for (const [name, policy] of [['al', 'always'], ['us', 'unless-stopped'], ['us-up', 'unless-stopped']]) {
      const r = await d.docker(['run', '-d', '--name', name!, '--restart', policy!, 'busybox', 'sleep', '300']);
      assert.equal(r.code, 0, r.stderr);
    }
    await d.docker(['stop', '-t', '0', 'al', 'us']);
    assert.equal((await state('al')).split(' ')[0], 'exited');
    await d.stop();
    await d.restart();
    await eventually(async () => (await state('al')).startsWith('running'), 20_000);
    assert.equal((await state('us')).split(' ')[0], 'exited');
    assert.equal((await state('us-up')).split(' ')[0], 'running');
    await d.docker(['rm', '-f', 'al', 'us', 'us-up']);
  });

  test('an "on-failure:2" container restarts twice and stays down; a zero exit does not restart it', async () => {
    await d.docker(['run', '-d', '--name', 'of', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 1']);
    await eventually(async () => (await state('of')) === 'exited 2', 20_000);
    await new Promise((res) => setTimeout(res, 600));
    assert.equal(await state('of'), 'exited 2');
    await d.docker(['run', '-d', '--name', 'ok', '--restart', 'on-failure', 'busybox', 'true']);
    await eventually(async () => (await state('ok')).startsWith('exited'));
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(await state('ok'), 'exited 0');
    await d.docker(['rm', '-f', 'of', 'ok']);
  });
});
