import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isRoot, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';

const PROBE_SOURCE = resolve(import.meta.dirname, '../../../test/integration/fixtures/syscall-probe.c');
const PROBE_IMAGE = 'berth-syscall-probe:1';
const haveGcc = spawnSync('gcc', ['--version']).status === 0;

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

describe('seccomp: Docker\'s default profile, chosen by the container\'s capabilities', { skip: (!isRoot() && 'needs root') || (!haveGcc && 'needs gcc to build the probe') }, () => {
  let d: TestDaemon;

  /** Run the probe in a fresh container; each call's result: "ok" or the errno's name. */
  async function probe(runArgs: string[], calls: string[], cli: 'berth' | 'docker' = 'berth'): Promise<Record<string, string>> {
    const out = ok(await d[cli](['run', '--rm', ...runArgs, PROBE_IMAGE, '/probe', ...calls], { timeoutMs: 60_000 }));
    return Object.fromEntries(out.trim().split('\n').map((l) => l.split(' ') as [string, string]));
  }

  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
    // An image holding only the statically linked probe and an empty /tmp.
    const root = join(d.dir, 'probe-root');
    mkdirSync(join(root, 'tmp'), { recursive: true });
    const cc = spawnSync('gcc', ['-static', '-O1', '-o', join(root, 'probe'), PROBE_SOURCE], { encoding: 'utf8' });
    assert.equal(cc.status, 0, cc.stderr);
    const tar = join(d.dir, 'probe.tar');
    assert.equal(spawnSync('tar', ['-C', root, '-cf', tar, 'probe', 'tmp']).status, 0);
    ok(await d.berth(['import', tar, PROBE_IMAGE]));
  });
  after(async () => { await d?.cleanup(); });

  test('a default container: keyctl, add_key, request_key, unshare, mount, kcmp, open_by_handle_at fail with EPERM, clone3 with ENOSYS', async () => {
    const r = await probe([], ['keyctl', 'add_key', 'request_key', 'unshare-user', 'unshare-mount', 'mount', 'kcmp', 'open_by_handle_at', 'clone3', 'bpf', 'reboot']);
    assert.deepEqual(r, {
      keyctl: 'EPERM', add_key: 'EPERM', request_key: 'EPERM', 'unshare-user': 'EPERM', 'unshare-mount': 'EPERM', mount: 'EPERM',
      kcmp: 'EPERM', open_by_handle_at: 'EPERM', clone3: 'ENOSYS', bpf: 'EPERM', reboot: 'EPERM',
    });
  });

  test('a default container may use process_vm_readv, ptrace\'s kin since kernel 4.8, and name_to_handle_at, as under Docker 24+', async () => {
    assert.deepEqual(await probe([], ['process_vm_readv', 'name_to_handle_at']), { process_vm_readv: 'ok', name_to_handle_at: 'ok' });
  });

  test('busybox: unshare -U -r -m -n then mount is refused by default and works with --cap-add SYS_ADMIN', async () => {
    const cmd = ['busybox', 'unshare', '-U', '-r', '-m', '-n', 'sh', '-c', 'mount -t tmpfs x /tmp && echo mounted'];
    const denied = await d.berth(['run', '--rm', ...cmd]);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /Operation not permitted/);
    assert.equal(ok(await d.berth(['run', '--rm', '--cap-add', 'SYS_ADMIN', ...cmd])), 'mounted\n');
  });

  test('each capability lets its calls reach the kernel (--cap-add)', async () => {
    const unlocks: Array<[string, string[]]> = [
      ['SYS_ADMIN', ['unshare-user', 'unshare-mount', 'mount', 'clone3']],
      ['SYS_PTRACE', ['kcmp']],
      ['DAC_READ_SEARCH', ['open_by_handle_at']],
      ['SYS_BOOT', ['reboot']],
      ['SYS_MODULE', ['init_module']],
      ['SYS_PACCT', ['acct']],
      ['SYS_RAWIO', ['iopl']],
      ['SYS_TIME', ['clock_settime']],
      ['SYS_NICE', ['get_mempolicy']],
      ['SYSLOG', ['syslog']],
      ['BPF', ['bpf']],
      ['PERFMON', ['perf_event_open']],
    ];
    for (const [cap, calls] of unlocks) {
      const denied = await probe([], calls);
      const allowed = await probe(['--cap-add', cap], calls);
      for (const call of calls) {
        assert.equal(denied[call], call === 'clone3' ? 'ENOSYS' : 'EPERM', `${call} without ${cap}`);
        assert.ok(allowed[call] !== 'EPERM' && allowed[call] !== 'died', `${call} with ${cap}: ${allowed[call]}`);
      }
    }
    const admin = await probe(['--cap-add', 'SYS_ADMIN'], ['keyctl', 'clone3', 'mount']);
    assert.deepEqual(admin, { keyctl: 'EPERM', clone3: 'EINVAL', mount: 'ok' }, 'no capability unlocks the key calls');
  });

  test('seccomp=unconfined and --privileged run without a filter; --cap-drop ALL keeps it', async () => {
    const status = async (args: string[]): Promise<string> =>
      /^Seccomp:\s*(\d)/m.exec(ok(await d.berth(['run', '--rm', ...args, 'busybox', 'cat', '/proc/self/status'])))?.[1] ?? '?';
    assert.equal(await status([]), '2');
    assert.equal(await status(['--cap-drop', 'ALL']), '2');
    assert.equal(await status(['--security-opt', 'seccomp=unconfined']), '0');
    assert.equal(await status(['--privileged']), '0');
    assert.deepEqual(await probe(['--security-opt', 'seccomp=unconfined'], ['keyctl', 'clone3']), { keyctl: 'EOPNOTSUPP', clone3: 'EINVAL' });
  });

  test('docker run --security-opt seccomp=<file> applies the container\'s own profile', async () => {
    const file = join(d.dir, 'no-mkdir.json');
    writeFileSync(file, JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
    }));
    assert.deepEqual(await probe(['--security-opt', `seccomp=${file}`], ['mkdir', 'keyctl'], 'docker'), { mkdir: 'EACCES', keyctl: 'EOPNOTSUPP' });
    const bad = await d.docker(['run', '--rm', '--security-opt', 'seccomp-x=1', PROBE_IMAGE, '/probe']);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /invalid --security-opt 2: "seccomp-x=1"/);
  });
});

describe('memory and CPU limits', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
  });
  after(async () => { await d?.cleanup(); });

  test('a container the OOM killer ends under -m exits 137 with State.OOMKilled true; one that fits does not', async () => {
    const r = await d.berth(['run', '--name', 'greedy', '-m', '8m', 'busybox', 'tail', '/dev/zero'], { timeoutMs: 120_000 });
    assert.equal(r.code, 137, r.stderr);
    assert.equal(ok(await d.docker(['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}} {{.State.Status}}', 'greedy'])).trim(), 'true 137 exited');
    assert.equal((await d.berth(['run', '--name', 'modest', '-m', '8m', 'busybox', 'sh', '-c', 'exit 3'])).code, 3);
    assert.equal(ok(await d.docker(['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', 'modest'])).trim(), 'false 3');
    // A new run starts with OOMKilled false again and is judged by itself.
    const again = await d.berth(['start', '-a', 'greedy'], { timeoutMs: 120_000 });
    assert.equal(again.code, 137, again.stderr);
    assert.equal(ok(await d.berth(['inspect', '-f', '{{.State.OOMKilled}}', 'greedy'])).trim(), 'true');
    ok(await d.berth(['rm', 'greedy', 'modest']));
  });

  test('docker run refuses --cpus beyond the host, absent --cpuset-cpus/--cpuset-mems and --cpus with --cpu-period, in dockerd\'s words', async () => {
    const n = availableParallelism();
    const refused = async (args: string[], text: RegExp): Promise<void> => {
      const r = await d.docker(['run', '--rm', ...args, 'busybox', 'true']);
      assert.equal(r.code, 125, r.stderr);
      assert.match(r.stderr, text);
    };
    await refused(['--cpus', '9999'], new RegExp(`^docker: Error response from daemon: Range of CPUs is from 0\\.01 to ${n}\\.00, as there are only ${n} CPUs available`, 'm'));
    await refused(['--cpuset-cpus', '0-99'], /^docker: Error response from daemon: Requested CPUs are not available - requested 0-99, available: [0-9,-]+/m);
    await refused(['--cpuset-mems', '0-99'], /^docker: Error response from daemon: Requested memory nodes are not available - requested 0-99, available: [0-9,-]+/m);
    await refused(['--cpus', '1', '--cpu-period', '100000'], /Conflicting options: Nano CPUs and CPU Period cannot both be set/);
    await refused(['--cpus', '1', '--cpu-quota', '50000'], /Conflicting options: Nano CPUs and CPU Quota cannot both be set/);
    const api = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { NanoCpus: 9999e9 } });
    assert.equal(api.status, 400);
    ok(await d.docker(['run', '--rm', '--cpus', String(n), '--cpuset-cpus', '0', 'busybox', 'true']));
    assert.equal(ok(await d.berth(['ps', '-aq'])), '', 'nothing refused was created');
  });
});
