import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { InvalidArgumentError } from '../../base/index.js';
import { dir, file, hdr, symlinkEntry, tarBuffer } from '../archive/tar-fixtures.js';
import { metaRecord, paxLine, rawFile, rawTar } from '../archive/hostile-fixtures.js';
import { MAX_ARCHIVE_ENTRIES, StagedArchive } from './archive-stage.js';

async function withTemp(fn: (d: string) => Promise<void>): Promise<void> {
  const d = await mkdtemp(join(tmpdir(), 'berth-stage-'));
  try { await fn(d); } finally { await rm(d, { recursive: true, force: true }); }
}

const refused = (re: RegExp) => (e: unknown) => {
  assert.ok(e instanceof InvalidArgumentError, String(e));
  assert.match(e.message, re);
  return true;
};

test('StagedArchive.stage() refuses entries that conflict with each other with a 400, not an errno', async () => {
  for (const entries of [[file('a', 'x'), file('a/b', 'y')], [file('a/b', 'y'), file('a', 'x')]]) {
    await withTemp(async (d) => {
      await assert.rejects(StagedArchive.stage(Readable.from([await tarBuffer(entries)]), join(d, 'stage')), refused(/invalid archive: entry "a(\/b)?" conflicts with another entry \((ENOTDIR|EISDIR|EEXIST)\)/));
    });
  }
});

test('StagedArchive.stage() refuses headers Go refuses and names that climb out', async () => {
  const cases: Array<[Buffer, RegExp]> = [
    [rawTar(metaRecord('x', paxLine('size', '-1')), rawFile(hdr('manifest.json'))), /invalid archive: archive\/tar: invalid tar header: size/],
    [rawTar(rawFile(hdr('manifest.json'), Buffer.alloc(0), [[108, 'zz\0']])), /invalid archive: archive\/tar: invalid tar header: uid NaN/],
    [await tarBuffer([file('../manifest.json', '[]')]), /invalid archive: .*path escapes/],
    [await tarBuffer([file('/manifest.json', '[]')]), /invalid archive: .*absolute paths are not allowed/],
  ];
  for (const [tar, re] of cases) {
    await withTemp(async (d) => {
      await assert.rejects(StagedArchive.stage(Readable.from([tar]), join(d, 'stage')), refused(re));
      assert.deepEqual(await readdir(d).then((n) => n.filter((x) => x !== 'stage')), []);
    });
  }
});

test('StagedArchive.get() resolves links lexically inside the archive only', async () => {
  await withTemp(async (d) => {
    const tar = await tarBuffer([
      dir('blobs/sha256/'),
      symlinkEntry('blobs/sha256/up', '../../../../../../etc/passwd'),
      symlinkEntry('blobs/sha256/abs', '/etc/passwd'),
      symlinkEntry('loop', 'loop'),
      file('real', 'r'),
      symlinkEntry('inside', 'real'),
    ]);
    const s = await StagedArchive.stage(Readable.from([tar]), join(d, 'stage'));
    assert.equal(s.get('blobs/sha256/up'), undefined);
    assert.equal(s.get('blobs/sha256/abs'), undefined);
    assert.equal(s.get('loop'), undefined);
    assert.equal(s.get('inside')?.path, join(d, 'stage', 'files', 'real'));
  });
});

test(`StagedArchive.stage() refuses an archive of more than ${MAX_ARCHIVE_ENTRIES} entries`, async () => {
  await withTemp(async (d) => {
    const one = (await tarBuffer([symlinkEntry('l', 'x')])).subarray(0, 512);
    const tar = rawTar(Buffer.concat(Array.from({ length: MAX_ARCHIVE_ENTRIES + 1 }, () => one)));
    await assert.rejects(StagedArchive.stage(Readable.from([tar]), join(d, 'stage')), refused(/invalid archive: more than 100000 entries/));
  });
});
