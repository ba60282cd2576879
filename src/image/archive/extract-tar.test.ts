import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ScopedDir } from '../../host/index.js';
import { extractTar } from './extract-tar.js';
import { dir, file, hardlinkEntry, symlinkEntry, tarBuffer } from './tar-fixtures.js';
import { rebaseName, rebaseTar } from './tar-rebase.js';
import { readTar } from './tar-reader.js';

async function withRoot(fn: (root: string, out: string) => Promise<void>): Promise<void> {
  const d = await mkdtemp(join(tmpdir(), 'berth-extract-'));
  await mkdir(join(d, 'root/dst'), { recursive: true });
  await mkdir(join(d, 'out'));
  try { await fn(join(d, 'root'), join(d, 'out')); } finally { await rm(d, { recursive: true, force: true }); }
}

async function extract(root: string, entries: Parameters<typeof tarBuffer>[0], opts: { noOverwriteDirNonDir?: boolean; owner?: { uid: number; gid: number } } = {}): Promise<void> {
  const d = ScopedDir.open(root);
  try {
    await extractTar(Readable.from([await tarBuffer(entries)]), { dir: d, base: 'dst', ...opts });
  } finally {
    d.close();
  }
}

test('extractTar() puts every name below the base: "./", absolute names and the root entry', async () => {
  await withRoot(async (root) => {
    await extract(root, [dir('./'), file('./a', 'A'), file('/abs/b', 'B'), symlinkEntry('s', '/etc/passwd'), hardlinkEntry('h', '/a')]);
    assert.equal(await readFile(join(root, 'dst/a'), 'utf8'), 'A');
    assert.equal(await readFile(join(root, 'dst/abs/b'), 'utf8'), 'B');
    assert.equal(await readlink(join(root, 'dst/s')), '/etc/passwd', 'an absolute link is written as it is (it resolves in the container)');
    assert.equal((await lstat(join(root, 'dst/h'))).nlink, 2);
  });
});

test('extractTar() refuses what climbs out of the base, as Docker\'s Unpack', async () => {
  await withRoot(async (root, out) => {
    await assert.rejects(extract(root, [file('../x', 'x')]), /path escapes the layer root/);
    await assert.rejects(extract(root, [symlinkEntry('s', '../../out')]), /invalid symlink "s" -> "\.\.\/\.\.\/out"/);
    await assert.rejects(extract(root, [hardlinkEntry('h', '../../out/x')]), /invalid hardlink/);
    await assert.rejects(extract(root, [file('.wh.x', '')]), /names starting with "\.wh\." are reserved/);
    await symlink(out, join(root, 'dst/planted'));
    await assert.rejects(extract(root, [file('planted/x', 'pwned')]), /path escapes the layer root through symlink/);
    assert.deepEqual(await readdir(out), []);
  });
});

test('extractTar() with noOverwriteDirNonDir keeps directories and files apart; an owner applies to all', async () => {
  await withRoot(async (root) => {
    await extract(root, [dir('d/'), file('f', 'x')]);
    await assert.rejects(extract(root, [file('d', 'x')], { noOverwriteDirNonDir: true }), /cannot overwrite directory "\/dst\/d" with non-directory "d"/);
    await assert.rejects(extract(root, [dir('f/')], { noOverwriteDirNonDir: true }), /cannot overwrite non-directory "\/dst\/f" with directory "f\/"/);
    await extract(root, [file('d', 'now a file')]);
    assert.equal(await readFile(join(root, 'dst/d'), 'utf8'), 'now a file');
    await extract(root, [file('o', 'o', { uid: 7, gid: 8 }), symlinkEntry('ol', 'o', { uid: 7, gid: 8 })], { owner: { uid: 1234, gid: 4321 } });
    for (const n of ['o', 'ol']) {
      const st = await lstat(join(root, 'dst', n));
      assert.deepEqual([st.uid, st.gid], [1234, 4321]);
    }
  });
});

test('rebaseName() renames the top entry as Docker\'s RebaseArchiveEntries and TarResourceRebase', () => {
  assert.equal(rebaseName('data/', 'data', 'x'), 'x/');
  assert.equal(rebaseName('data/sub/f', 'data', 'x'), 'x/sub/f');
  assert.equal(rebaseName('database', 'data', 'x'), 'database', 'a name that only starts like it is kept');
  assert.equal(rebaseName('data/', 'data', '.'), './');
  assert.equal(rebaseName('data/sub', 'data', '.'), './sub');
  assert.equal(rebaseName('./', '.', 'x'), 'x/');
  assert.equal(rebaseName('./sub/f', '.', 'x'), 'x/sub/f');
  assert.equal(rebaseName('bin/sh', '', 'x'), 'x/bin/sh');
  assert.equal(rebaseName('bin/sh', '', '.'), './bin/sh');
});

test('rebaseTar() renames names and hard link targets, keeping bodies', async () => {
  const src = await tarBuffer([dir('a/'), file('a/f', 'body'), hardlinkEntry('a/h', 'a/f')]);
  const got: string[] = [];
  for await (const e of readTar(rebaseTar(Readable.from([src]), 'a', 'b'))) {
    let body = '';
    for await (const c of e.body()) body += c.toString();
    got.push(`${e.header.name}|${e.header.linkname}|${body}`);
  }
  assert.deepEqual(got, ['b/||', 'b/f||body', 'b/h|b/f|']);
});
