import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostAddon } from './native.js';
import { bindFileReadOnly, mountOverlay, unmount } from './fs-special.js';
import { isMountPoint } from './mount-table.js';
import { exec, HostCommandError } from './exec.js';
import { spawnDaemon } from './daemon-spawn.js';

// CI builds the addon (scripts/build-native.sh); its absence there is a build failure, not a skip.
test('the native addon is built', () => {
  assert.ok(hostAddon, 'dist/native/berth-host.node is missing: run sh scripts/build-native.sh');
});

test('mountOverlay() and unmount() mount and detach an overlay, and unmount() reports nothing mounted', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-native-'));
  try {
    for (const d of ['lower', 'upper', 'work', 'merged']) await mkdir(join(dir, d));
    await writeFile(join(dir, 'lower', 'f'), 'from lower');
    const target = join(dir, 'merged');
    await mountOverlay({ lowerDirs: [join(dir, 'lower')], upperDir: join(dir, 'upper'), workDir: join(dir, 'work'), target, options: ['index=off'] });
    assert.equal(await isMountPoint(target), true);
    assert.equal(await readFile(join(target, 'f'), 'utf8'), 'from lower');
    await writeFile(join(target, 'g'), 'copied up');
    assert.equal(await readFile(join(dir, 'upper', 'g'), 'utf8'), 'copied up');
    assert.equal(await unmount(target), true);
    assert.equal(await isMountPoint(target), false);
    assert.equal(await unmount(target), false, 'not mounted any more');
    assert.equal(await unmount(join(dir, 'never-made'), { lazy: true }), false, 'no such path');
  } finally {
    await unmount(join(dir, 'merged'), { lazy: true }).catch(() => false);
    await rm(dir, { recursive: true, force: true });
  }
});

test('a failed mount rejects with the errno name, the call and the path, and mounts nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-native-'));
  try {
    await mkdir(join(dir, 'merged'));
    const target = join(dir, 'merged');
    await assert.rejects(mountOverlay({ lowerDirs: [join(dir, 'missing')], target }), (e: NodeJS.ErrnoException) => {
      assert.equal(e.code, 'ENOENT');
      assert.equal(e.syscall, 'mount');
      assert.equal(e.path, target);
      return true;
    });
    assert.equal(await isMountPoint(target), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the addon checks its arguments before any system call', () => {
  assert.ok(hostAddon);
  const addon = hostAddon as unknown as Record<string, (...a: unknown[]) => unknown>;
  assert.throws(() => addon.mount!('x'), TypeError);
  assert.throws(() => addon.mount!('x', 'a\0b', 'tmpfs', 0, null), TypeError);
  assert.throws(() => addon.umount!('/tmp', -1), TypeError);
});

test('bindFileReadOnly() binds a file read-only, replaces an older bind, and unmount() drops it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-native-'));
  const target = join(dir, 'bound');
  try {
    await writeFile(join(dir, 'v1'), 'one');
    await writeFile(join(dir, 'v2'), 'two');
    assert.equal(await bindFileReadOnly(join(dir, 'v1'), target), true);
    assert.equal(await readFile(target, 'utf8'), 'one');
    await assert.rejects(writeFile(target, 'x'), { code: 'EROFS' });
    assert.equal(await bindFileReadOnly(join(dir, 'v2'), target), true);
    assert.equal(await readFile(target, 'utf8'), 'two');
    const mounts = (await readFile('/proc/self/mounts', 'utf8')).split('\n').filter((l) => l.split(' ')[1] === target);
    assert.equal(mounts.length, 1, 'the older bind is gone');
    assert.equal(await unmount(target), true);
    assert.equal(await readFile(target, 'utf8'), '', 'the mount point file is left empty');
  } finally {
    await unmount(target, { lazy: true }).catch(() => false);
    await rm(dir, { recursive: true, force: true });
  }
});

test('exec() through posix_spawn keeps stdout and stderr apart, feeds stdin, and honours cwd and env', async () => {
  const r = await exec('sh', ['-c', 'echo "$WHO in $(pwd)"; cat; echo oops >&2; exit 4'], {
    stdin: 'piped\n', cwd: '/tmp', env: { PATH: '/usr/bin:/bin', WHO: 'berth' }, allowFailure: true,
  });
  assert.deepEqual(r, { code: 4, stdout: 'berth in /tmp\npiped\n', stderr: 'oops\n' });
  await assert.rejects(exec('sh', ['-c', 'echo bad >&2; exit 2']), (e: unknown) => e instanceof HostCommandError && e.result.code === 2 && /bad/.test(e.message));
  await assert.rejects(exec('/nonexistent/tool', []), { code: 'ENOENT' });
  await assert.rejects(exec('no-such-tool-anywhere', []), { code: 'ENOENT' });
});

test('a spawned child starts with default signal dispositions and an empty mask', async () => {
  // node ignores SIGPIPE; a child that inherited that would see EPIPE and print an error instead of dying quietly
  const r = await exec('sh', ['-c', 'yes | head -n 2; grep -E "^Sig(Blk|Ign)" /proc/self/status'], { allowFailure: true });
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^y\ny\n/);
  assert.match(r.stdout, /SigBlk:\s+0+\n/);
  const ignored = BigInt(`0x${/SigIgn:\s+([0-9a-f]+)/.exec(r.stdout)![1]}`);
  for (const sig of [1, 2, 3, 13, 15]) assert.equal(ignored & (1n << BigInt(sig - 1)), 0n, `signal ${sig} is not ignored`);
});

test('spawnDaemon() reads the report line and starts the program in its own session', async () => {
  const script = 'echo "{\\"sid\\": $(cut -d" " -f6 /proc/$$/stat), \\"pid\\": $$}" >&3; echo note >&2';
  const res = await spawnDaemon('sh', ['-c', script], { syncEnv: 'SYNC_FD_FOR_TEST', env: { PATH: '/usr/bin:/bin' } });
  assert.equal(res.code, 0);
  const report = JSON.parse(res.report!) as { sid: number; pid: number };
  assert.equal(report.sid, report.pid, 'the child leads its own session');
  const failed = await spawnDaemon('sh', ['-c', 'echo "cannot start" >&2; exit 3'], { syncEnv: 'X', env: { PATH: '/usr/bin:/bin' } });
  assert.deepEqual({ code: failed.code, report: failed.report, stderr: failed.stderr }, { code: 3, report: undefined, stderr: 'cannot start\n' });
});
