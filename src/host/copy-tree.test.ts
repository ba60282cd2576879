import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lchownSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScopedDir } from './beneath.js';
import { hostAddon } from './native.js';

const root = process.getuid?.() === 0;

/** A source tree, an empty destination and a directory outside both; the copy's ScopedDirs. */
async function withTrees(fn: (t: { src: string; dst: string; out: string; from: ScopedDir; to: ScopedDir }) => Promise<void>): Promise<void> {
  const d = await mkdtemp(join(tmpdir(), 'berth-copy-tree-'));
  const t = { src: join(d, 'src'), dst: join(d, 'dst'), out: join(d, 'out') };
  for (const p of Object.values(t)) mkdirSync(p);
  writeFileSync(join(t.out, 'victim'), 'v');
  const from = ScopedDir.open(t.src);
  const to = ScopedDir.open(t.dst);
  try {
    await fn({ ...t, from, to });
  } finally {
    from.close();
    to.close();
    await rm(d, { recursive: true, force: true });
  }
}

function setxattr(path: string, name: string, value: string): boolean {
  try {
    execFileSync('setfattr', ['-h', '-n', name, '-v', value, path], { stdio: 'ignore' });
    return true;
  } catch {
    return false; // no setfattr, or a file system without user xattrs
  }
}

function getxattr(path: string, name: string): string | undefined {
  try {
    return execFileSync('getfattr', ['--only-values', '-h', '-n', name, path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

test('copyTo() copies content, owners, modes (setuid, sticky), nanosecond times and user xattrs', { skip: !root && 'needs root' }, async () => {
  await withTrees(async ({ src, dst, from, to }) => {
    mkdirSync(join(src, 'app', 'deep', 'er'), { recursive: true });
    writeFileSync(join(src, 'app', 'bin'), Buffer.alloc(3 << 20, 7)); // more than one copy chunk
    chownSync(join(src, 'app', 'bin'), 1000, 2000);
    chmodSync(join(src, 'app', 'bin'), 0o4755);
    writeFileSync(join(src, 'app', 'deep', 'er', 'f'), 'deep');
    writeFileSync(join(src, 'app', 'empty'), '');
    chmodSync(join(src, 'app', 'deep'), 0o1777);
    chownSync(join(src, 'app', 'deep'), 5, 6);
    chmodSync(join(src, 'app', 'deep', 'er'), 0o2750);
    // root's own files, where creation alone may not give the mode (umask) or group (setgid directory)
    writeFileSync(join(src, 'app', 'open'), 'o');
    chmodSync(join(src, 'app', 'open'), 0o666);
    mkdirSync(join(src, 'app', 'sg'));
    chownSync(join(src, 'app', 'sg'), 0, 50);
    chmodSync(join(src, 'app', 'sg'), 0o2775);
    writeFileSync(join(src, 'app', 'sg', 'f'), 'f');
    chownSync(join(src, 'app', 'sg', 'f'), 0, 0); // made with the directory's group
    chmodSync(join(src, 'app', 'sg', 'f'), 0o640);
    const xattr = setxattr(join(src, 'app', 'empty'), 'user.berth', 'yes') && setxattr(join(src, 'app', 'deep'), 'user.dir', 'd');
    utimesSync(join(src, 'app', 'deep', 'er', 'f'), 1_000_000_000.123456, 1_500_000_000.987654);
    utimesSync(join(src, 'app', 'deep'), 1_000_000_000, 1_600_000_000.5);
    utimesSync(join(src, 'app'), 1_000_000_000, 1_700_000_000.25);

    await from.copyTo('app', to);

    assert.deepEqual(readdirSync(dst).sort(), ['bin', 'deep', 'empty', 'open', 'sg']);
    assert.deepEqual([lstatSync(join(dst, 'open')).mode & 0o7777, lstatSync(join(dst, 'open')).uid], [0o666, 0], 'no umask');
    const sg = lstatSync(join(dst, 'sg', 'f'));
    assert.deepEqual([sg.uid, sg.gid, sg.mode & 0o7777], [0, 0, 0o640], 'not the setgid directory\'s group');
    assert.deepEqual([lstatSync(join(dst, 'sg')).gid, lstatSync(join(dst, 'sg')).mode & 0o7777], [50, 0o2775]);
    assert.ok(readFileSync(join(dst, 'bin')).equals(Buffer.alloc(3 << 20, 7)));
    const bin = lstatSync(join(dst, 'bin'));
    assert.deepEqual([bin.uid, bin.gid, bin.mode & 0o7777], [1000, 2000, 0o4755], 'setuid kept after the chown');
    const deep = lstatSync(join(dst, 'deep'), { bigint: true });
    assert.deepEqual([deep.uid, deep.gid, Number(deep.mode & 0o7777n)], [5n, 6n, 0o1777]);
    assert.equal(deep.mtimeNs, lstatSync(join(src, 'app', 'deep'), { bigint: true }).mtimeNs, 'a directory keeps its mtime though entries were made in it');
    assert.equal(lstatSync(join(dst, 'deep', 'er')).mode & 0o7777, 0o2750);
    assert.equal(readFileSync(join(dst, 'deep', 'er', 'f'), 'utf8'), 'deep');
    const f = lstatSync(join(dst, 'deep', 'er', 'f'), { bigint: true });
    assert.equal(f.mtimeNs, lstatSync(join(src, 'app', 'deep', 'er', 'f'), { bigint: true }).mtimeNs);
    assert.equal(lstatSync(dst, { bigint: true }).mtimeNs, lstatSync(join(src, 'app'), { bigint: true }).mtimeNs, 'the root directory\'s time too');
    if (xattr) {
      assert.equal(getxattr(join(dst, 'empty'), 'user.berth'), 'yes');
      assert.equal(getxattr(join(dst, 'deep'), 'user.dir'), 'd');
    }
  });
});

test('copyTo() keeps symlinks as they are (never followed), hard links as links, device nodes and fifos; skips sockets', { skip: !root && 'needs root' }, async () => {
  await withTrees(async ({ src, dst, out, from, to }) => {
    writeFileSync(join(src, 'conf'), 'c=1\n');
    mkdirSync(join(src, 'sub'));
    linkSync(join(src, 'conf'), join(src, 'sub', 'hard'));
    linkSync(join(src, 'conf'), join(src, 'hard2'));
    symlinkSync('../conf', join(src, 'sub', 'soft'));
    symlinkSync(out, join(src, 'abs'));
    symlinkSync('/', join(src, 'slash'));
    lchownSync(join(src, 'abs'), 33, 44);
    execFileSync('mknod', ['-m', '0620', join(src, 'null'), 'c', '1', '3']);
    chownSync(join(src, 'null'), 0, 5);
    execFileSync('mkfifo', ['-m', '0640', join(src, 'fifo')]);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(src, 'sock'), resolve));
    try {
      await from.copyTo('', to);
    } finally {
      server.close();
    }

    assert.deepEqual(readdirSync(dst).sort(), ['abs', 'conf', 'fifo', 'hard2', 'null', 'slash', 'sub'], 'no socket');
    const conf = lstatSync(join(dst, 'conf'));
    assert.equal(conf.nlink, 3);
    assert.equal(lstatSync(join(dst, 'sub', 'hard')).ino, conf.ino);
    assert.equal(lstatSync(join(dst, 'hard2')).ino, conf.ino);
    assert.equal(readlinkSync(join(dst, 'sub', 'soft')), '../conf');
    assert.equal(readlinkSync(join(dst, 'abs')), out);
    assert.deepEqual([lstatSync(join(dst, 'abs')).uid, lstatSync(join(dst, 'abs')).gid], [33, 44]);
    assert.equal(readlinkSync(join(dst, 'slash')), '/');
    const nul = lstatSync(join(dst, 'null'));
    assert.ok(nul.isCharacterDevice());
    assert.deepEqual([nul.rdev, nul.mode & 0o7777, nul.gid], [lstatSync(join(src, 'null')).rdev, 0o620, 5]);
    assert.ok(lstatSync(join(dst, 'fifo')).isFIFO());
    assert.equal(lstatSync(join(dst, 'fifo')).mode & 0o7777, 0o640);
    assert.deepEqual(readdirSync(out), ['victim'], 'nothing copied through a symlink');
  });
});

test('copyTo() shares a large directory\'s files among threads and still links hard links once, whoever meets them', { skip: !root && 'needs root' }, async () => {
  await withTrees(async ({ src, dst, from, to }) => {
    const big = join(src, 'big');
    mkdirSync(join(big, 'sub'), { recursive: true });
    for (let i = 0; i < 600; i++) {
      writeFileSync(join(big, `f${i}`), `file ${i}\n`.repeat(i % 7));
      if (i % 3 === 0) chownSync(join(big, `f${i}`), i, i + 1);
      if (i % 5 === 0) chmodSync(join(big, `f${i}`), 0o600 + (i % 8));
    }
    // links among the shared files, to one outside them, and from a subdirectory
    for (let i = 0; i < 600; i += 50) linkSync(join(big, `f${i}`), join(big, `l${i}`));
    linkSync(join(big, 'f7'), join(big, 'sub', 'l7'));
    writeFileSync(join(big, 'sub', 'orig'), 'o');
    linkSync(join(big, 'sub', 'orig'), join(big, 'lorig'));

    await from.copyTo('big', to);

    assert.equal(readdirSync(dst).length, 600 + 12 + 2);
    for (let i = 0; i < 600; i++) {
      const p = join(dst, `f${i}`);
      assert.equal(readFileSync(p, 'utf8'), `file ${i}\n`.repeat(i % 7));
      const st = lstatSync(p);
      const want = lstatSync(join(big, `f${i}`));
      assert.deepEqual([st.uid, st.gid, st.mode, st.nlink], [want.uid, want.gid, want.mode, want.nlink], `f${i}`);
    }
    for (let i = 0; i < 600; i += 50) assert.equal(lstatSync(join(dst, `l${i}`)).ino, lstatSync(join(dst, `f${i}`)).ino);
    assert.equal(lstatSync(join(dst, 'sub', 'l7')).ino, lstatSync(join(dst, 'f7')).ino);
    assert.equal(lstatSync(join(dst, 'lorig')).ino, lstatSync(join(dst, 'sub', 'orig')).ino);
  });
});

test('copyTo() gives a file its mode where a default ACL of the destination would decide it otherwise', { skip: !root && 'needs root' }, async () => {
  await withTrees(async ({ src, dst, from, to }) => {
    // the destination directory's default ACL (u::rwx g::--- o::---, binary xattr form) makes new files 0600
    if (!setxattr(dst, 'system.posix_acl_default', '0x0200000001000700ffffffff04000000ffffffff20000000ffffffff')) return;
    writeFileSync(join(src, 'f'), 'f');
    chmodSync(join(src, 'f'), 0o644);
    await from.copyTo('', to);
    assert.equal(lstatSync(join(dst, 'f')).mode & 0o7777, 0o644);
  });
});

test('copyTo() never writes through what the destination holds: a planted symlink stays, and nothing lands outside', { skip: !root && 'needs root' }, async () => {
  await withTrees(async ({ src, dst, out, from, to }) => {
    mkdirSync(join(src, 'sub'));
    writeFileSync(join(src, 'sub', 'payload'), 'p');
    writeFileSync(join(src, 'victim'), 'overwritten');
    writeFileSync(join(src, 'kept'), 'new');
    mkdirSync(join(src, 'both'));
    writeFileSync(join(src, 'both', 'f'), 'f');
    // planted before (or while) the copy runs: symlinks to the outside, a file in a directory's place
    symlinkSync(out, join(dst, 'sub'));
    symlinkSync(join(out, 'victim'), join(dst, 'victim'));
    writeFileSync(join(dst, 'kept'), 'old');
    writeFileSync(join(dst, 'both'), 'a file');

    await from.copyTo('', to);

    assert.equal(readlinkSync(join(dst, 'sub')), out);
    assert.equal(readlinkSync(join(dst, 'victim')), join(out, 'victim'));
    assert.equal(readFileSync(join(dst, 'kept'), 'utf8'), 'old', 'an existing entry is kept');
    assert.equal(readFileSync(join(dst, 'both'), 'utf8'), 'a file', 'a directory whose place holds a file is skipped');
    assert.deepEqual(readdirSync(out), ['victim']);
    assert.equal(readFileSync(join(out, 'victim'), 'utf8'), 'v');
  });
});

test('copyTo() refuses a source path through a symlink, and rejects with the errno, the call and the path', async () => {
  await withTrees(async ({ src, dst, out, from, to }) => {
    symlinkSync(out, join(src, 'escape'));
    mkdirSync(join(src, 'real'));
    symlinkSync('../real', join(src, 'real', 'loop'));
    // ELOOP from openat2, ENOTDIR from the O_NOFOLLOW | O_DIRECTORY walk of older kernels
    await assert.rejects(from.copyTo('escape', to), (e: NodeJS.ErrnoException) => ['ELOOP', 'ENOTDIR'].includes(e.code!) && e.syscall === 'openat2' && e.path === 'escape');
    await assert.rejects(from.copyTo('escape/victim', to), (e: NodeJS.ErrnoException) => ['ELOOP', 'ENOTDIR'].includes(e.code!));
    await assert.rejects(from.copyTo('../out', to), (e: NodeJS.ErrnoException) => e.code === 'EXDEV' || e.code === 'ELOOP');
    await assert.rejects(from.copyTo('nosuch', to), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    assert.deepEqual(readdirSync(dst), []);
    await from.copyTo('real', to);
    assert.equal(readlinkSync(join(dst, 'loop')), '../real');
    assert.deepEqual(readdirSync(out), ['victim']);
  });
});

test('copyTree() checks its arguments before any system call', () => {
  assert.ok(hostAddon);
  const addon = hostAddon as unknown as Record<string, (...a: unknown[]) => unknown>;
  assert.throws(() => addon.copyTree!(0, 'x'), TypeError);
  assert.throws(() => addon.copyTree!(-1, 'x', 0), TypeError);
  assert.throws(() => addon.copyTree!(0, 'a\0b', 0), TypeError);
  assert.throws(() => addon.copyTree!(0, 5, 0), TypeError);
});
