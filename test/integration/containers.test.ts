import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, isRoot, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';

const skip = !isRoot() && 'needs root';

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

for (const client of ['berth', 'docker'] as const) {
  describe(`containers through ${client}`, { skip }, () => {
    let d: TestDaemon;
    const cli = (args: string[], opts?: { input?: string }): Promise<RunResult> => d[client](args, opts);
    before(async () => {
      d = await startDaemon();
      await withBusybox(d);
    });
    after(async () => { await d?.cleanup(); });

    test('run prints the output and exits with the container exit code', async () => {
      assert.equal(ok(await cli(['run', '--rm', 'busybox', 'echo', 'hello'])), 'hello\n');
      const r = await cli(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(r.code, 3);
      assert.equal(r.stdout, 'out\n');
      assert.equal(r.stderr, 'err\n');
    });

    test('run --rm is gone from ps at once and leaves no files, mounts or runtime state behind', async () => {
      const out = await cli(['run', '--rm', '--name', 'gone', 'busybox', 'sh', '-c', 'echo x > /tmp/f; hostname']);
      const id = ok(out).trim();
      assert.match(id, /^[0-9a-f]{12}$/);
      assert.equal(ok(await cli(['ps', '-aq', '--filter', 'name=gone'])), '', 'removed before run returned');
      // the name is free at once as well
      ok(await cli(['create', '--name', 'gone', 'busybox', 'true']));
      ok(await cli(['rm', 'gone']));
      await eventually(async () => {
        const left = [join(d.dataRoot, 'containers'), join(d.execRoot, 'containers'), join(d.execRoot, 'crun'), join(d.execRoot, 'runc')]
          .flatMap((dir) => (existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith(id)) : []));
        const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => l.includes(id));
        return left.length === 0 && mounts.length === 0 ? true : undefined;
      });
    });

    test('run maps a missing command to 127 and a non-executable one to 126', async () => {
      const missing = await cli(['run', '--rm', 'busybox', 'nosuchcommand']);
      assert.equal(missing.code, 127, missing.stderr);
      assert.match(missing.stderr, /executable file not found in \$PATH/);
      const notExec = await cli(['run', '--rm', 'busybox', '/etc/passwd']);
      assert.equal(notExec.code, 126, notExec.stderr);
      assert.equal(ok(await cli(['ps', '-aq'])), '', 'a --rm container that failed to start is removed');
    });

    test('run of an unknown image fails with exit 125 and Docker\'s wording', async () => {
      const r = await cli(['run', '--rm', 'nosuchimage:v9', 'true']);
      assert.equal(r.code, 125);
      assert.match(r.stderr, /Unable to find image 'nosuchimage:v9' locally/);
    });

    test('a duplicate name is a 409 conflict and leaves the first container alone', async () => {
      const id = ok(await cli(['create', '--name', 'dup', 'busybox', 'true'])).trim();
      const r = await cli(['create', '--name', 'dup', 'busybox', 'true']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Conflict\. The container name "\/dup" is already in use by container/);
      const api = await d.api('POST', '/containers/create?name=dup', { Image: 'busybox', Cmd: ['true'] });
      assert.equal(api.status, 409);
      assert.match(api.json().message, /already in use/);
      assert.equal(ok(await cli(['ps', '-aq', '--no-trunc', '--filter', 'name=dup'])).trim(), id);
      ok(await cli(['rm', 'dup']));
    });

    test('detached containers are listed, logged, inspected, stopped and removed', async () => {
      const id = ok(await cli(['run', '-d', '--name', 'sleeper', '-l', 'tier=web', '-e', 'GREETING=hi', 'busybox',
        'sh', '-c', 'echo started; echo to-stderr >&2; trap "echo bye; exit 0" TERM; while true; do sleep 0.1; done'])).trim();
      assert.match(id, /^[a-f0-9]{64}$/);
      const ps = ok(await cli(['ps']));
      assert.match(ps, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/m);
      assert.match(ps, new RegExp(`^${id.slice(0, 12)}\\s+busybox\\s+"sh -c 'echo started…"\\s+.*Up .*sleeper$`, 'm'));
      assert.equal(ok(await cli(['ps', '-q', '--filter', 'label=tier=web'])).trim(), id.slice(0, 12));
      await eventually(async () => (await cli(['logs', 'sleeper'])).stdout === 'started\n');
      const logs = await cli(['logs', 'sleeper']);
      assert.equal(logs.stderr, 'to-stderr\n');
      assert.equal(ok(await cli(['inspect', '-f', '{{.State.Status}} {{.Name}} {{.Config.Hostname}}', 'sleeper'])).trim(), `running /sleeper ${id.slice(0, 12)}`);
      const pid = Number(ok(await cli(['inspect', '--format', '{{.State.Pid}}', id.slice(0, 8)])));
      assert.ok(pid > 1);
      assert.match(ok(await cli(['inspect', '-f', '{{json .Config.Env}}', 'sleeper'])), /"GREETING=hi"/);
      ok(await cli(['stop', '-t', '5', 'sleeper']));
      assert.equal(ok(await cli(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'sleeper'])).trim(), 'exited 0');
      assert.match(ok(await cli(['logs', '--tail', '1', 'sleeper'])), /^bye\n$/);
      assert.match(ok(await cli(['ps', '-a', '--filter', 'name=sleeper'])), /Exited \(0\) (Less than a second|\d+ seconds?) ago/);
      ok(await cli(['rm', 'sleeper']));
      const gone = await cli(['inspect', 'sleeper']);
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /No such object: sleeper|No such container: sleeper/);
    });

    test('rm refuses a running container without -f and kill needs a running one', async () => {
      ok(await cli(['run', '-d', '--name', 'busy', 'busybox', 'sleep', '1000']));
      const r = await cli(['rm', 'busy']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /container is running: stop the container before removing or force remove/);
      ok(await cli(['kill', 'busy']));
      assert.equal(ok(await cli(['wait', 'busy'])).trim(), '137');
      const again = await cli(['kill', 'busy']);
      assert.notEqual(again.code, 0);
      assert.match(again.stderr, /is not running/);
      ok(await cli(['rm', '-f', 'busy']));
    });

    test('start -a attaches, restart runs again, rename keeps the id, wait returns the code', async () => {
      ok(await cli(['create', '--name', 'once', 'busybox', 'sh', '-c', 'echo run; exit 7']));
      const started = await cli(['start', '-a', 'once']);
      assert.equal(started.stdout, 'run\n');
      assert.equal(started.code, 7);
      ok(await cli(['rename', 'once', 'twice']));
      ok(await cli(['restart', 'twice']));
      assert.equal(ok(await cli(['wait', 'twice'])).trim(), '7');
      assert.equal(ok(await cli(['logs', 'twice'])), 'run\nrun\n');
      ok(await cli(['rm', 'twice']));
    });

    test('attach follows a running container to its exit and returns its code', async () => {
      // Ticks for 5 s before the last line: attach joins whenever the CLI gets there, even on a loaded machine.
      ok(await cli(['run', '-d', '--name', 'att', 'busybox', 'sh', '-c', 'i=0; while [ $i -lt 50 ]; do echo tick; sleep 0.1; i=$((i+1)); done; echo late; exit 5']));
      const r = await cli(['attach', '--no-stdin', 'att']);
      assert.match(r.stdout, /^(tick\n)*late\n$/);
      assert.equal(r.code, 5);
      ok(await cli(['rm', 'att']));
    });

    test('run -i passes stdin through', async () => {
      const r = await cli(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'tr a-z A-Z'], { input: 'shout\n' });
      assert.equal(ok(r), 'SHOUT\n');
    });

    test('run options: workdir, user, entrypoint, hostname, env-file, read-only, init', async () => {
      assert.equal(ok(await cli(['run', '--rm', '-w', '/tmp', '-u', 'nobody', '-h', 'box', 'busybox', 'sh', '-c', 'echo $(pwd) $(id -un) $(hostname)'])), '/tmp nobody box\n');
      assert.equal(ok(await cli(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'from', 'entrypoint'])), 'from entrypoint\n');
      const ro = await cli(['run', '--rm', '--read-only', 'busybox', 'touch', '/x']);
      assert.notEqual(ro.code, 0);
      assert.match(ro.stderr, /Read-only file system/);
      assert.equal(ok(await cli(['run', '--rm', '--init', 'busybox', 'sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "'])).trim(), '/sbin/docker-init -- sh -c cat /proc/1/cmdline | tr "\\0" " "');
    });

    test('resource flags reach the cgroup', async () => {
      const out = ok(await cli(['run', '--rm', '-m', '64m', '--cpus', '0.5', '--pids-limit', '50', 'busybox', 'sh', '-c',
        'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/pids/pids.max']));
      assert.deepEqual(out.trim().split('\n'), ['67108864', '50000', '50']);
    });

    test('containers are confined by default and --privileged lifts it', async () => {
      const caps = ok(await cli(['run', '--rm', 'busybox', 'grep', 'CapEff', '/proc/self/status']));
      assert.match(caps, /CapEff:\s+00000000a80425fb/);
      const sysWrite = await cli(['run', '--rm', 'busybox', 'sh', '-c', 'echo 1 > /proc/sys/kernel/domainname']);
      assert.notEqual(sysWrite.code, 0);
      const devs = ok(await cli(['run', '--rm', 'busybox', 'sh', '-c', 'ls /dev | sort | tr "\\n" " "'])).trim();
      assert.equal(devs,
        // runc adds the /dev/core link only where /proc/kcore exists (not on this VM); crun always does.
        'fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero'.replace(/^/, /^core /.test(devs) ? 'core ' : ''));
      const priv = ok(await cli(['run', '--rm', '--privileged', 'busybox', 'grep', 'CapEff', '/proc/self/status']));
      const hostBnd = /CapBnd:\s+(\w+)/.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'))![1];
      assert.match(priv, new RegExp(`CapEff:\\s+${hostBnd}`));
    });

    test('the bridge gives an address and a route; --network none has only loopback', async () => {
      const out = ok(await cli(['run', '--rm', 'busybox', 'ip', '-4', 'addr', 'show', 'eth0']));
      const prefix = d.subnet.split('.').slice(0, 3).join('.');
      assert.match(out, new RegExp(`inet ${prefix.replace(/\./g, '\\.')}\\.\\d+/24`));
      const none = ok(await cli(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net | tr "\\n" " "']));
      assert.equal(none.trim(), 'lo');
    });

    test('export writes the container filesystem as a tar', async () => {
      ok(await cli(['create', '--name', 'exp', 'busybox', 'true']));
      const r = await cli(['export', 'exp']);
      assert.equal(r.code, 0);
      assert.ok(r.stdout.includes('bin/busybox'));
      ok(await cli(['rm', 'exp']));
    });

    test('container prune removes stopped containers only', async () => {
      ok(await cli(['run', '--name', 'stopped1', 'busybox', 'true']));
      ok(await cli(['run', '-d', '--name', 'alive', 'busybox', 'sleep', '1000']));
      // Docker's time forms for until: a container made since then is kept
      for (const until of ['1h30m', '1.5h', '2006-01-02T15:04', '2006-01-02-00:01', '1136073600.5']) {
        assert.doesNotMatch(ok(await cli(['container', 'prune', '-f', '--filter', `until=${until}`])), /[a-f0-9]{64}/, until);
      }
      const out = ok(await cli(['container', 'prune', '-f']));
      assert.match(out, /Deleted Containers:\n[a-f0-9]{64}\n/);
      assert.match(out, /Total reclaimed space:/);
      assert.equal(ok(await cli(['ps', '-a', '--format', '{{.Names}}'])).trim(), 'alive');
      ok(await cli(['rm', '-f', 'alive']));
    });
  });
}
