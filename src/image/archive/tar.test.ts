import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { exec } from '../../host/index.js';
import { InvalidArgumentError } from '../../base/index.js';
import { readTar } from './tar-reader.js';
import { tarBuffer, chunksOf, file, dir, symlinkEntry, hardlinkEntry } from './tar-fixtures.js';
import type { TarHeader } from './tar-header.js';

async function readAll(buf: Buffer, chunk = 777): Promise<Array<{ h: TarHeader; body: Buffer }>> {
  const out: Array<{ h: TarHeader; body: Buffer }> = [];
  for await (const e of readTar(chunksOf(buf, chunk))) {
    const parts: Buffer[] = [];
    for await (const c of e.body()) parts.push(c);
    out.push({ h: e.header, body: Buffer.concat(parts) });
  }
  return out;
}

test('writeTar() and readTar() round-trip long names, unicode, big ids and binary xattrs', async () => {
  const longName = `${'d'.repeat(120)}/${'f'.repeat(150)}`;
  const xattr = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0x0a, 0x3d]);
  const buf = await tarBuffer([
    dir('a/'),
    file('a/plain.txt', 'hello'),
    file(longName, 'long'),
    file('ünï/çødé.txt', 'utf8', { uid: 5_000_000, gid: 70_000_000, xattrs: new Map([['security.capability', xattr], ['user.k', Buffer.from('v')]]) }),
    symlinkEntry('a/link', 'x'.repeat(200)),
    hardlinkEntry('a/hard', 'a/plain.txt'),
    { header: { name: 'dev/null', type: 'char', mode: 0o666, uid: 0, gid: 0, size: 0, mtime: 1, linkname: '', devmajor: 1, devminor: 3 } },
  ]);
  assert.equal(buf.length % 512, 0);
  const got = await readAll(buf);
  assert.deepEqual(got.map((e) => e.h.name), ['a/', 'a/plain.txt', longName, 'ünï/çødé.txt', 'a/link', 'a/hard', 'dev/null']);
  assert.equal(got[1]!.body.toString(), 'hello');
  assert.equal(got[2]!.body.toString(), 'long');
  assert.equal(got[3]!.h.uid, 5_000_000);
  assert.equal(got[3]!.h.gid, 70_000_000);
  assert.deepEqual(got[3]!.h.xattrs?.get('security.capability'), xattr);
  assert.equal(got[4]!.h.linkname, 'x'.repeat(200));
  assert.equal(got[5]!.h.type, 'link');
  assert.equal(got[6]!.h.type, 'char');
  assert.equal(got[6]!.h.devminor, 3);
});

test('readTar() reads what GNU tar writes, including its long-name and PAX forms', async () => {
  const dirp = await mkdtemp(join(tmpdir(), 'berth-tar-'));
  try {
    const src = join(dirp, 'src');
    const deep = join(src, 'x'.repeat(90), 'y'.repeat(90));
    await mkdir(deep, { recursive: true });
    await writeFile(join(deep, 'z'.repeat(120)), 'deep');
    await symlink('target', join(src, 'sl'));
    for (const format of ['gnu', 'posix']) {
      await exec('tar', ['--format', format, '-C', src, '-cf', join(dirp, `${format}.tar`), '.']);
      const got = await readAll(await readFile(join(dirp, `${format}.tar`)));
      const names = got.map((e) => e.h.name);
      assert.ok(names.includes(`./${'x'.repeat(90)}/${'y'.repeat(90)}/${'z'.repeat(120)}`), format);
      const f = got.find((e) => e.h.name.endsWith('z'.repeat(120)));
      assert.equal(f!.body.toString(), 'deep');
      assert.equal(got.find((e) => e.h.name === './sl')!.h.linkname, 'target');
    }
  } finally {
    await rm(dirp, { recursive: true, force: true });
  }
});

test('readTar() refuses a truncated archive with "unexpected EOF"', async () => {
  const buf = await tarBuffer([file('a', 'x'.repeat(5000)), file('b', 'y')]);
  for (const cut of [100, 700, 3000, 5700]) {
    await assert.rejects(readAll(buf.subarray(0, cut)), (e: unknown) => e instanceof InvalidArgumentError && /unexpected EOF|invalid tar header/.test(e.message));
  }
});

test('readTar() refuses a header with a bad checksum', async () => {
  const buf = Buffer.from(await tarBuffer([file('a', 'x')]));
  buf[10] = 0x41;
  await assert.rejects(readAll(buf), (e: unknown) => e instanceof InvalidArgumentError && /invalid tar header/.test(e.message));
});

test('readTar() lets a consumer skip bodies', async () => {
  const buf = await tarBuffer([file('a', 'x'.repeat(3000)), file('b', 'yy')]);
  const names: string[] = [];
  let last = '';
  for await (const e of readTar(chunksOf(buf, 100))) {
    names.push(e.header.name);
    if (e.header.name === 'b') for await (const c of e.body()) last += c.toString();
  }
  assert.deepEqual(names, ['a', 'b']);
  assert.equal(last, 'yy');
});
