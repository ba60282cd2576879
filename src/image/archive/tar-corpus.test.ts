import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../base/index.js';
import { readTar } from './tar-reader.js';
import { BLOCK, END_OF_ARCHIVE, type TarHeader } from './tar-header.js';
import { hdr } from './tar-fixtures.js';
import { fixChecksum, metaRecord, paxLine, rawBlock, rawFile, rawTar } from './hostile-fixtures.js';

/*
 * Every header form, as raw bytes, with what Go's archive/tar (the reader Docker unpacks
 * with) makes of it: the corpus that holds berth's own reader to Go's (docs/decisions/0009).
 */

async function read(buf: Buffer): Promise<Array<TarHeader & { body: string }>> {
  const out = [];
  for await (const e of readTar((async function* () { for (let i = 0; i < buf.length; i += 700) yield buf.subarray(i, i + 700); })())) {
    const parts: Buffer[] = [];
    for await (const c of e.body()) parts.push(c);
    out.push({ ...e.header, body: Buffer.concat(parts).toString('latin1') });
  }
  return out;
}

/** A block with ustar fields written raw: every byte where Go looks for it. */
function v7(name: string, typeflag: string, size = 0): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(name, 0, 100, 'utf8');
  b.write('0000644\0', 100, 'latin1');
  b.write('0000001\0', 108, 'latin1');
  b.write('0000002\0', 116, 'latin1');
  b.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  b.write('13000000000\0', 136, 'latin1');
  b.write(typeflag, 156, 'latin1');
  return fixChecksum(b); // no magic: a V7 header
}

interface Form { name: string; tar: () => Buffer; want?: Array<Partial<TarHeader> & { body?: string }>; refused?: RegExp }

const XATTR = Buffer.from([0x01, 0x00, 0xff, 0xfe, 0x0a, 0x3d, 0x20]); // NUL, non-UTF-8, newline, "=", space
const pad = (s: string) => Buffer.concat([Buffer.from(s), Buffer.alloc((512 - (s.length % 512)) % 512)]);

const forms: Form[] = [
  { name: 'V7: no magic, mode/uid/gid/size/mtime in octal', tar: () => rawTar(v7('a', '0', 3), pad('abc')),
    want: [{ name: 'a', type: 'file', mode: 0o644, uid: 1, gid: 2, size: 3, mtime: 0o13000000000, body: 'abc' }] },
  { name: "V7: a '\\0' typeflag with a trailing slash is a directory", tar: () => rawTar(v7('d/', '\0'), v7('f', '\0')), want: [{ name: 'd/', type: 'directory' }, { name: 'f', type: 'file' }] },
  { name: "a '0' typeflag with a trailing slash stays a regular file", tar: () => rawTar(rawBlock(hdr('f/'), [[156, '0']])), want: [{ name: 'f/', type: 'file' }] },
  { name: "'7' (contiguous) is a regular file", tar: () => rawTar(rawFile(hdr('c'), Buffer.from('x'), [[156, '7']])), want: [{ name: 'c', type: 'file', body: 'x' }] },
  { name: 'ustar: prefix joined to name', tar: () => rawTar(rawBlock(hdr('name'), [[345, 'the/prefix']])), want: [{ name: 'the/prefix/name' }] },
  { name: 'GNU magic: the prefix field is not a prefix (GNU keeps atime there)', tar: () => rawTar(rawBlock(hdr('name'), [[257, 'ustar  \0'], [345, 'junk']])), want: [{ name: 'name' }] },
  { name: "GNU 'L' long name and 'K' long link", tar: () => rawTar(metaRecord('L', `${'n'.repeat(300)}\0`), metaRecord('K', `${'t'.repeat(200)}\0`), rawBlock(hdr('short', { type: 'symlink' }))),
    want: [{ name: 'n'.repeat(300), type: 'symlink', linkname: 't'.repeat(200) }] },
  { name: "GNU 'L' wins over a PAX path, as in Go", tar: () => rawTar(metaRecord('x', paxLine('path', 'from-pax')), metaRecord('L', 'from-gnu\0'), rawBlock(hdr('short'))), want: [{ name: 'from-gnu' }] },
  { name: "PAX 'x': path, linkpath, size, uid, gid, fractional mtime, uname, gname",
    tar: () => rawTar(metaRecord('x', Buffer.concat([paxLine('path', 'päx/ñame'), paxLine('linkpath', 'l'), paxLine('size', '2'), paxLine('uid', '3000000000'), paxLine('gid', '+7'), paxLine('mtime', '1600000000.25'), paxLine('uname', 'u'), paxLine('gname', 'g')])), rawFile(hdr('x'), Buffer.from('hi'))),
    want: [{ name: 'päx/ñame', linkname: 'l', size: 2, uid: 3_000_000_000, gid: 7, mtime: 1_600_000_000.25, uname: 'u', gname: 'g', body: 'hi' }] },
  { name: 'PAX SCHILY.xattr values stay bytes (NUL, non-UTF-8, newline, "=")', tar: () => rawTar(metaRecord('x', paxLine('SCHILY.xattr.user.bin', XATTR)), rawFile(hdr('f'))),
    want: [{ name: 'f', xattrs: new Map([['user.bin', XATTR]]) }] },
  { name: "PAX 'x' applies to the next entry only", tar: () => rawTar(metaRecord('x', paxLine('uid', '9')), rawFile(hdr('a')), rawFile(hdr('b'))), want: [{ name: 'a', uid: 9 }, { name: 'b', uid: 0 }] },
  { name: "PAX 'g' global records are ignored, as Docker does", tar: () => rawTar(metaRecord('g', paxLine('uid', '9')), rawFile(hdr('a'))), want: [{ name: 'a', uid: 0 }] },
  { name: 'base-256 uid, gid and size', tar: () => rawTar(rawFile(hdr('b'), Buffer.from('12345'), [[108, Buffer.from([0x80, 0, 0, 0, 0x80, 0, 0, 0])], [116, Buffer.from([0x80, 0, 0, 0, 0, 1, 0, 0])], [124, Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5])]])),
    want: [{ name: 'b', uid: 2 ** 31, gid: 65536, size: 5, body: '12345' }] },
  { name: 'octal fields with leading spaces and trailing NULs or spaces', tar: () => rawTar(rawBlock(hdr('o'), [[108, '  17 \0\0\0'], [100, '755    ']])), want: [{ name: 'o', uid: 0o17, mode: 0o755 }] },
  { name: 'empty numeric fields read as zero', tar: () => rawTar(rawBlock(hdr('z'), [[108, Buffer.alloc(8)]])), want: [{ name: 'z', uid: 0 }] },
  { name: 'a checksum computed with signed bytes is accepted', tar: () => {
    const b = rawBlock(hdr('\xe9'));
    b.write('\xe9', 0, 'latin1');
    let signed = 0;
    b.fill(0x20, 148, 156);
    for (let i = 0; i < BLOCK; i++) signed += b[i]! > 127 ? b[i]! - 256 : b[i]!;
    b.write(signed.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
    return rawTar(b);
  }, want: [{ type: 'file' }] },
  { name: 'character and block devices, fifos, hard and symbolic links', tar: () => rawTar(rawBlock(hdr('c', { type: 'char', devmajor: 4095, devminor: 1048575 })), rawBlock(hdr('b', { type: 'block', devmajor: 7 })), rawBlock(hdr('p', { type: 'fifo' })), rawBlock(hdr('h', { type: 'link', linkname: 'c' })), rawBlock(hdr('s', { type: 'symlink', linkname: '../x' }))),
    want: [{ type: 'char', devmajor: 4095, devminor: 1048575 }, { type: 'block', devmajor: 7 }, { type: 'fifo' }, { type: 'link', linkname: 'c' }, { type: 'symlink', linkname: '../x' }] },
  { name: 'a size on a link or directory carries no data (Go: header-only types)', tar: () => rawTar(rawBlock(hdr('d/', { type: 'directory' }), [[124, '00000001000\0']]), rawFile(hdr('after'), Buffer.from('ok'))),
    want: [{ name: 'd/', type: 'directory', size: 0 }, { name: 'after', body: 'ok' }] },
  { name: 'a vendor typeflag is passed on with its data', tar: () => rawTar(rawFile(hdr('v'), Buffer.from('data'), [[156, 'A']])), want: [{ name: 'v', type: 'other', typeflag: 'A', body: 'data' }] },
  { name: 'EOF without an end marker ends the archive', tar: () => rawFile(hdr('a')), want: [{ name: 'a' }] },
  { name: 'one zero block then EOF ends the archive', tar: () => Buffer.concat([rawFile(hdr('a')), Buffer.alloc(BLOCK)]), want: [{ name: 'a' }] },
  { name: 'padding after the end marker is ignored', tar: () => Buffer.concat([rawFile(hdr('a')), END_OF_ARCHIVE, Buffer.alloc(10 * BLOCK)]), want: [{ name: 'a' }] },
  // refused, as Go refuses them
  { name: "GNU sparse 'S'", tar: () => rawTar(rawBlock(hdr('s'), [[156, 'S']])), refused: /unsupported sparse file entry "s"/ },
  { name: 'PAX sparse 1.0', tar: () => rawTar(metaRecord('x', Buffer.concat([paxLine('GNU.sparse.major', '1'), paxLine('GNU.sparse.name', 's')])), rawFile(hdr('x'))), refused: /unsupported sparse file entry "s"/ },
  { name: 'a zero block followed by a header', tar: () => Buffer.concat([Buffer.alloc(BLOCK), rawFile(hdr('a'))]), refused: /invalid tar header/ },
  { name: 'a bad checksum', tar: () => { const b = rawBlock(hdr('a')); b[1] = 0x41; return rawTar(b); }, refused: /bad checksum/ },
  { name: 'a truncated body', tar: () => rawFile(hdr('a'), Buffer.alloc(600)).subarray(0, 700), refused: /unexpected EOF/ },
  { name: 'a PAX record length of 0', tar: () => rawTar(metaRecord('x', '0 a=b\n'), rawFile(hdr('a'))), refused: /malformed PAX record/ },
  { name: 'a PAX record with an empty key', tar: () => rawTar(metaRecord('x', paxLine('', 'v')), rawFile(hdr('a'))), refused: /malformed PAX record/ },
  { name: 'a PAX key with a NUL', tar: () => rawTar(metaRecord('x', paxLine('a\0b', 'v')), rawFile(hdr('a'))), refused: /malformed PAX record/ },
  { name: 'PAX size with a fraction', tar: () => rawTar(metaRecord('x', paxLine('size', '0.5')), rawFile(hdr('a'))), refused: /PAX size "0\.5" is not an integer/ },
  { name: 'PAX mtime with letters', tar: () => rawTar(metaRecord('x', paxLine('mtime', '12abc')), rawFile(hdr('a'))), refused: /PAX mtime "12abc" is not a time in seconds/ },
  { name: 'octal with a NUL in the middle', tar: () => rawTar(rawBlock(hdr('a'), [[108, '01\x0002\0\0\0']])), refused: /uid NaN/ },
  { name: "an 'L' record past 1 MiB", tar: () => rawTar(metaRecord('L', 'x'.repeat((1 << 20) + 1)), rawFile(hdr('a'))), refused: /header field too long/ },
];

for (const f of forms) {
  test(`readTar() and Go's archive/tar agree: ${f.name}`, async () => {
    if (f.refused) {
      await assert.rejects(read(f.tar()), (e: unknown) => {
        assert.ok(e instanceof InvalidArgumentError, String(e));
        assert.match(e.message, f.refused!);
        return true;
      });
      return;
    }
    const got = await read(f.tar());
    assert.equal(got.length, f.want!.length, `entries: ${got.map((g) => g.name).join(', ')}`);
    f.want!.forEach((w, i) => {
      for (const [k, v] of Object.entries(w)) assert.deepEqual(got[i]![k as keyof typeof w], v, `entry ${i} ${k}`);
    });
  });
}
