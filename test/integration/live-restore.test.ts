import assert from 'node:assert/strict';
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

  test('a stopped always-restart container stays stopped across a daemon restart until started', async () => {
    ok(await d.berth(['run', '-d', '--name', 'keeper', '--restart', 'always', 'busybox', 'sleep', '1000']));
    ok(await d.berth(['stop', '-t', '1', 'keeper']));
    await d.stop();
    await d.restart();
    assert.equal(ok(await d.berth(['inspect', '-f', '{{.State.Status}}', 'keeper'])).trim(), 'exited');
    ok(await d.berth(['rm', 'keeper']));
  });

  test('SIGTERM leaves containers running and a restarted daemon picks them up', async () => {
    ok(await d.berth(['run', '-d', '--name', 'survivor', 'busybox', 'sleep', '1000']));
    await d.stop();
    await d.restart();
    assert.equal(ok(await d.berth(['inspect', '-f', '{{.State.Running}}', 'survivor'])).trim(), 'true');
    ok(await d.berth(['rm', '-f', 'survivor']));
  });
});
