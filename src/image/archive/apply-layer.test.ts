import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile, lstat, readlink, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { InvalidArgumentError, sha256 } from '../../base/index.js';
import { ScopedDir } from '../../host/index.js';
import { applyLayer } from './apply-layer.js';
import { tarBuffer, file, dir, symlinkEntry, hardlinkEntry, hdr } from './tar-fixtures.js';

// a valid VFS_CAP_REVISION_2 value granting cap_net_raw
const CAP_NET_RAW = Buffer.from([1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

/** The xattrs of `rel` below `root`, read fd-relative. */
function xattrsAt(root: string, rel: string): Map<string, Buffer> {
  const d = ScopedDir.open(root);
  try { return d.xattrs(rel); } finally { d.close(); }
}

async function withTemp(fn: (d: string) => Promise<void>): Promise<void> {
  const d = await mkdtemp(join(tmpdir(), 'berth-apply-'));
  try { await fn(d); } finally { await rm(d, { recursive: true, force: true }); }
}

test('applyLayer() keeps contents, modes, owners, mtimes, links, devices and xattrs', async () => {
  await withTemp(async (d) => {
    const buf = await tarBuffer([
      dir('etc/', { mode: 0o750, uid: 1, gid: 2, mtime: 1_500_000_000 }),
      file('etc/passwd', 'root:x:0:0\n', { mode: 0o640, uid: 1000, gid: 1001, mtime: 1_400_000_000 }),
      file('bin/ping', 'ELF', { mode: 0o4755, xattrs: new Map([['security.capability', CAP_NET_RAW], ['user.note', Buffer.from('hi')]]) }),
      symlinkEntry('bin/sh', 'busybox', { uid: 5, gid: 6, mtime: 1_300_000_000 }),
      file('bin/busybox', 'bb', { mode: 0o755 }),
      hardlinkEntry('bin/ls', 'bin/busybox'),
      { header: hdr('dev/null', { type: 'char', mode: 0o666, devmajor: 1, devminor: 3 }) },
      { header: hdr('dev/loop0', { type: 'block', mode: 0o660, devmajor: 7, devminor: 0, gid: 6 }) },
      { header: hdr('run/fifo', { type: 'fifo', mode: 0o600 }) },
    ]);
    const target = join(d, 'diff');
    const res = await applyLayer(Readable.from([buf]), { target });
    assert.equal(res.diffId, sha256(buf));
    assert.equal(res.tarSize, buf.length);
    assert.equal(res.size, 11 + 3 + 2);
    const etc = await lstat(join(target, 'etc'));
    assert.equal(etc.mode & 0o7777, 0o750);
    assert.equal(etc.uid, 1);
    assert.equal(etc.mtimeMs, 1_500_000_000_000);
    const passwd = await lstat(join(target, 'etc/passwd'));
    assert.deepEqual([passwd.mode & 0o7777, passwd.uid, passwd.gid, passwd.mtimeMs], [0o640, 1000, 1001, 1_400_000_000_000]);
    assert.equal(await readFile(join(target, 'etc/passwd'), 'utf8'), 'root:x:0:0\n');
    assert.equal((await lstat(join(target, 'bin/ping'))).mode & 0o7777, 0o4755);
    assert.equal(await readlink(join(target, 'bin/sh')), 'busybox');
    const sh = await lstat(join(target, 'bin/sh'));
    assert.deepEqual([sh.uid, sh.gid, sh.mtimeMs], [5, 6, 1_300_000_000_000]);
    assert.equal((await lstat(join(target, 'bin/ls'))).ino, (await lstat(join(target, 'bin/busybox'))).ino);
    const null_ = await lstat(join(target, 'dev/null'));
    assert.ok(null_.isCharacterDevice());
    assert.equal(null_.rdev, (1 << 8) | 3);
    assert.equal(null_.mode & 0o7777, 0o666);
    const loop = await lstat(join(target, 'dev/loop0'));
    assert.ok(loop.isBlockDevice());
    assert.equal(loop.gid, 6);
    assert.ok((await lstat(join(target, 'run/fifo'))).isFIFO());
    const x = xattrsAt(target, 'bin/ping');
    assert.deepEqual(x.get('security.capability'), CAP_NET_RAW);
    assert.equal(x.get('user.note')?.toString(), 'hi');
  });
});

test('applyLayer() turns OCI whiteouts into overlay whiteouts and opaque xattrs', async () => {
  await withTemp(async (d) => {
    const buf = await tarBuffer([
      dir('etc/'),
      file('etc/.wh.gone', ''),
      dir('var/cache/'),
      file('var/cache/.wh..wh..opq', ''),
      file('var/cache/new', 'n'),
      file('.wh.toplevel', ''),
    ]);
    const target = join(d, 'diff');
    await applyLayer(Readable.from([gzipSync(buf)]), { target });
    const wh = await lstat(join(target, 'etc/gone'));
    assert.ok(wh.isCharacterDevice());
    assert.equal(wh.rdev, 0);
    assert.ok((await lstat(join(target, 'toplevel'))).isCharacterDevice());
    await assert.rejects(lstat(join(target, 'etc/.wh.gone')));
    await assert.rejects(lstat(join(target, 'var/cache/.wh..wh..opq')));
    assert.equal(xattrsAt(target, 'var/cache').get('trusted.overlay.opaque')?.toString(), 'y');
    assert.equal(await readFile(join(target, 'var/cache/new'), 'utf8'), 'n');
  });
});

test('applyLayer() gives a gzip layer the diffID of its uncompressed tar', async () => {
  await withTemp(async (d) => {
    const buf = await tarBuffer([file('a', 'x'.repeat(100_000))]);
    const padded = Buffer.concat([buf, Buffer.alloc(10240 - (buf.length % 10240))]);
    const res = await applyLayer(Readable.from([gzipSync(padded)]), { target: join(d, 't') });
    assert.equal(res.diffId, sha256(padded));
    assert.equal(res.size, 100_000);
  });
});

test('applyLayer() replaces earlier entries of the same path and creates implied parents', async () => {
  await withTemp(async (d) => {
    const buf = await tarBuffer([
      file('a/b/c', 'first'),
      file('a/b/c', 'second'),
      dir('a/b/c/'),
      file('a/b/c/d', 'inside'),
      symlinkEntry('x', 'a'),
      file('x', 'now a file'),
    ]);
    const target = join(d, 't');
    await applyLayer(Readable.from([buf]), { target });
    assert.ok((await stat(join(target, 'a/b/c'))).isDirectory());
    assert.equal((await stat(join(target, 'a'))).mode & 0o777, 0o755);
    assert.equal(await readFile(join(target, 'a/b/c/d'), 'utf8'), 'inside');
    assert.equal(await readFile(join(target, 'x'), 'utf8'), 'now a file');
  });
});

test('applyLayer() follows symlinks that stay inside the layer', async () => {
  await withTemp(async (d) => {
    const buf = await tarBuffer([dir('usr/lib/'), symlinkEntry('lib', 'usr/lib'), file('lib/libc.so', 'c')]);
    const target = join(d, 't');
    await applyLayer(Readable.from([buf]), { target });
    assert.equal(await readFile(join(target, 'usr/lib/libc.so'), 'utf8'), 'c');
  });
});

test('applyLayer() refuses hostile entries and writes nothing outside the target', async () => {
  const cases: Array<{ name: string; entries: Parameters<typeof tarBuffer>[0]; message: RegExp }> = [
    { name: 'dot-dot', entries: [file('../escape', 'x')], message: /path escapes the layer root/ },
    { name: 'nested dot-dot', entries: [file('a/../../escape', 'x')], message: /path escapes the layer root/ },
    { name: 'absolute', entries: [file('/escape', 'x')], message: /absolute paths are not allowed/ },
    { name: 'absolute symlink', entries: [symlinkEntry('evil', '__OUT__'), file('evil/escape', 'x')], message: /through symlink "evil"/ },
    { name: 'relative symlink', entries: [symlinkEntry('evil', '../out'), file('evil/escape', 'x')], message: /through symlink|path escapes/ },
    { name: 'hardlink out', entries: [hardlinkEntry('h', '../out/secret')], message: /path escapes the layer root/ },
    { name: 'hardlink through symlink', entries: [symlinkEntry('s', '..'), hardlinkEntry('h', 's/out/secret')], message: /path escapes the layer root/ },
  ];
  for (const c of cases) {
    await withTemp(async (d) => {
      const out = join(d, 'out');
      const target = join(d, 't');
      await writeFile(join(d, 'marker'), '');
      await import('node:fs/promises').then((fs) => fs.mkdir(out));
      await writeFile(join(out, 'secret'), 's');
      const entries = c.entries.map((e) => (e.header.linkname === '__OUT__' ? { ...e, header: { ...e.header, linkname: out } } : e));
      await assert.rejects(applyLayer(Readable.from([await tarBuffer(entries)]), { target }), (e: unknown) => {
        assert.ok(e instanceof InvalidArgumentError, `${c.name}: ${String(e)}`);
        assert.match(e.message, c.message, c.name);
        return true;
      });
      assert.deepEqual((await readdir(d)).sort(), ['marker', 'out', 't'], c.name);
      assert.deepEqual(await readdir(out), ['secret'], c.name);
      assert.equal((await lstat(join(out, 'secret'))).nlink, 1, c.name);
    });
  }
});

test('applyLayer() refuses a truncated gzip layer', async () => {
  await withTemp(async (d) => {
    const gz = gzipSync(await tarBuffer([file('a', 'x'.repeat(50_000))]));
    await assert.rejects(applyLayer(Readable.from([gz.subarray(0, gz.length - 20)]), { target: join(d, 't') }), InvalidArgumentError);
  });
});

test('applyLayer() takes a plain input\'s verified digest as its diffID, and still hashes what it decompresses', async () => {
  await withTemp(async (d) => {
    const tar = await tarBuffer([file('a', 'x')]);
    const claimed = sha256(Buffer.from('the caller checks this digest'));
    const plain = await applyLayer(Readable.from([tar]), { target: join(d, 'p'), inputDigest: claimed });
    assert.equal(plain.diffId, claimed);
    const gz = await applyLayer(Readable.from([gzipSync(tar)]), { target: join(d, 'g'), inputDigest: claimed });
    assert.equal(gz.diffId, sha256(tar));
  });
});
