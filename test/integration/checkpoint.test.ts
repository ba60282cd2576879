import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, isRoot, startDaemon, withBusybox, type TestDaemon } from './harness.js';

/*
 * checkpoint create/ls/rm and start --checkpoint against a berthd of its own. Where `criu check`
 * passes, a counter is checkpointed and restored and keeps counting from where it was; where it
 * does not (this machine's kernel: docs/environment.md), the path is checked up to criu: the
 * runtime's and criu's error, no checkpoint left behind, the container left as it was, ls and rm,
 * and a restore through conmon --restore that fails cleanly.
 */

const criuWorks = spawnSync('criu', ['check'], { stdio: 'ignore' }).status === 0;
const COUNTER = 'i=0; while true; do echo $i; i=$((i+1)); sleep 0.1; done';

describe('checkpoint and restore', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon({ args: ['--experimental'] });
    await withBusybox(d);
  });
  after(async () => { await d?.cleanup(); });

  test('--experimental is reported as dockerd does, and the docker CLI then shows checkpoint: ls, rm, and create\'s error', async () => {
    assert.equal((await d.api('GET', '/_ping')).headers['docker-experimental'], 'true');
    assert.equal((await d.api('GET', '/info')).json().ExperimentalBuild, true);
    assert.equal((await d.api('GET', '/version')).json().Experimental, true);
    const server = await d.docker(['version', '--format', '{{.Server.Experimental}}']);
    assert.equal(server.stdout.trim(), 'true', server.stderr);
    const c = await d.docker(['run', '-d', '--runtime', 'runc', '--name', 'dck', 'busybox', 'sleep', '1000']);
    assert.equal(c.code, 0, c.stderr);
    const ls = await d.docker(['checkpoint', 'ls', 'dck']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.equal(ls.stdout.trim(), 'CHECKPOINT NAME');
    const create = await d.docker(['checkpoint', 'create', 'dck', 'c1']);
    if (criuWorks) {
      assert.equal(create.code, 0, create.stderr);
      assert.deepEqual((await d.docker(['checkpoint', 'ls', 'dck'])).stdout.trim().split('\n'), ['CHECKPOINT NAME', 'c1']);
      assert.equal((await d.docker(['checkpoint', 'rm', 'dck', 'c1'])).code, 0);
    } else {
      assert.equal(create.code, 1);
      assert.match(create.stderr, /^Error response from daemon: Cannot checkpoint container dck: OCI runtime checkpoint failed: .*criu failed/);
      assert.equal((await d.docker(['checkpoint', 'ls', 'dck'])).stdout.trim(), 'CHECKPOINT NAME');
      // rm of a checkpoint that is not there: the daemon's words through the docker CLI
      const rm = await d.docker(['checkpoint', 'rm', 'dck', 'c1']);
      assert.equal(rm.code, 1);
      assert.equal(rm.stderr.trim(), 'Error response from daemon: checkpoint c1 does not exist for container dck');
    }
    assert.equal((await d.docker(['rm', '-f', 'dck'])).code, 0);
  });

  const ok = async (args: string[]): Promise<string> => {
    const r = await d.berth(args);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const lastCount = async (name: string): Promise<number> => {
    const lines = (await ok(['logs', name])).trim().split('\n');
    return Number(lines[lines.length - 1]);
  };

  test('a counter checkpointed and restored keeps counting from where it was', { skip: !criuWorks && 'criu check fails on this kernel (docs/environment.md)' }, async () => {
    await ok(['run', '-d', '--runtime', 'runc', '--name', 'counter', 'busybox', 'sh', '-c', COUNTER]);
    await eventually(async () => (await lastCount('counter')) >= 10);
    assert.equal((await ok(['checkpoint', 'create', 'counter', 'c1'])).trim(), 'c1');
    const at = await lastCount('counter');
    await eventually(async () => (await d.api('GET', '/containers/counter/json')).json().State.Running === false);
    assert.deepEqual((await ok(['checkpoint', 'ls', 'counter'])).trim().split('\n'), ['CHECKPOINT NAME', 'c1']);
    await ok(['start', '--checkpoint', 'c1', 'counter']);
    await eventually(async () => (await lastCount('counter')) > at + 5);
    const lines = (await ok(['logs', 'counter'])).trim().split('\n').map(Number);
    assert.equal(lines.filter((n) => n === 0).length, 1, 'the count never started again from 0');
    await ok(['checkpoint', 'rm', 'counter', 'c1']);
  });

  test('without a working criu: the error names the cause, nothing is left behind, the container runs on', { skip: criuWorks && 'criu works here: the full test runs' }, async () => {
    await ok(['run', '-d', '--runtime', 'runc', '--name', 'rc', 'busybox', 'sh', '-c', COUNTER]);
    const r = await d.berth(['checkpoint', 'create', 'rc', 'c1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error response from daemon: Cannot checkpoint container rc: OCI runtime checkpoint failed: .*criu failed/);
    assert.match(r.stderr, /vdso|Error \(criu/, 'criu\'s own error is quoted');
    const id = (await d.api('GET', '/containers/rc/json')).json().Id as string;
    assert.deepEqual(await readdir(join(d.dataRoot, 'containers', id, 'checkpoints')), [], 'no checkpoint directory is left');
    assert.deepEqual((await ok(['checkpoint', 'ls', 'rc'])).trim().split('\n'), ['CHECKPOINT NAME']);
    const before_ = await lastCount('rc');
    await eventually(async () => (await lastCount('rc')) > before_, 5000);
    const ev = (await d.api('GET', `/events?since=0&until=${Math.floor(Date.now() / 1000) + 1}&filters=${encodeURIComponent('{"event":["checkpoint"]}')}`)).body;
    assert.equal(ev.trim(), '', 'no checkpoint event for a checkpoint that failed');
  });

  test('a runtime without CRIU is named in the error', async () => {
    const runtimes = Object.keys((await d.api('GET', '/info')).json().Runtimes ?? {});
    if (!runtimes.includes('crun') || spawnSync('crun', ['checkpoint', '--help'], { encoding: 'utf8' }).stderr.includes('unknown command') === false) return;
    await ok(['run', '-d', '--runtime', 'crun', '--name', 'cc', 'busybox', 'sleep', '1000']);
    const r = await d.berth(['checkpoint', 'create', 'cc', 'c1']);
    assert.equal(r.stderr.trim(), 'Error response from daemon: Cannot checkpoint container cc: its runtime crun has no checkpoint support (built without CRIU); create the container with --runtime runc');
  });

  test('Docker\'s checks: names, a stopped container, missing checkpoints, a custom store', async () => {
    await ok(['create', '--runtime', 'runc', '--name', 'idle', 'busybox', 'sh', '-c', COUNTER]);
    const errs = await Promise.all([
      d.berth(['checkpoint', 'create', 'idle', 'c1']),
      d.berth(['checkpoint', 'rm', 'idle', 'nope']),
      d.berth(['start', '--checkpoint', 'nope', 'idle']),
      d.berth(['checkpoint', 'ls', 'nope']),
    ]);
    assert.deepEqual(errs.map((e) => e.stderr.trim()), [
      'Error response from daemon: Container idle not running',
      'Error response from daemon: checkpoint nope does not exist for container idle',
      'Error response from daemon: checkpoint nope does not exist for container idle',
      'Error response from daemon: No such container: nope',
    ]);
    await ok(['run', '-d', '--runtime', 'runc', '--name', 'named', 'busybox', 'sleep', '1000']);
    const bad = await d.api('POST', '/containers/named/checkpoints', { CheckpointID: '../x' });
    assert.equal(bad.status, 400);
    assert.match(bad.json().message, /^Invalid checkpoint ID \(\.\.\/x\), only/);

    // a custom store holds <dir>/<container id>/<name>; a checkpoint there that criu cannot
    // restore fails the start through conmon --restore, and the container stays stopped
    const store = join(d.dir, 'ckpts');
    const id = (await d.api('GET', '/containers/idle/json')).json().Id as string;
    await mkdir(join(store, id, 'bogus'), { recursive: true });
    assert.deepEqual((await ok(['checkpoint', 'ls', '--checkpoint-dir', store, 'idle'])).trim().split('\n'), ['CHECKPOINT NAME', 'bogus']);
    const start = await d.berth(['start', '--checkpoint', 'bogus', '--checkpoint-dir', store, 'idle']);
    assert.notEqual(start.code, 0);
    assert.match(start.stderr, /^Error response from daemon: failed to restore container from checkpoint: OCI runtime restore failed: .*bogus/);
    const st = (await d.api('GET', '/containers/idle/json')).json().State;
    assert.equal(st.Running, false);
    assert.equal((await d.api('GET', '/_ping')).status, 200);
    await ok(['checkpoint', 'rm', '--checkpoint-dir', store, 'idle', 'bogus']);
    assert.equal(existsSync(join(store, id, 'bogus')), false);
    // a plain start still works after the failed restore
    await ok(['start', 'idle']);
    await eventually(async () => (await lastCount('idle').catch(() => 0)) > 2);
  });
});
