import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, symlink, utimes, writeFile, lutimes } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ScopedDir } from '../../host/index.js';
import { BLOCK, encodeHeader, END_OF_ARCHIVE, paddingFor, type TarHeader } from './tar-header.js';
import { dir, file, hardlinkEntry, hdr, symlinkEntry, tarBuffer } from './tar-fixtures.js';
import type { TarWriteEntry } from './tar-writer.js';

/*
 * Test fixtures for hostile archives: raw header blocks with chosen bytes, PAX records of any
 * content, and a sentinel tree whose every byte, mode, owner, time and xattr is recorded so a
 * test can prove that nothing outside a target root changed.
 */

/** Recompute a header block's checksum after its bytes were patched. */
export function fixChecksum(b: Buffer): Buffer {
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return b;
}

/** One ustar block for `h` (no PAX), with `patch` bytes written at offsets, checksum fixed. */
export function rawBlock(h: TarHeader, patch: Array<[number, Buffer | string]> = []): Buffer {
  const b = Buffer.from(encodeHeader({ ...h, xattrs: undefined }).subarray(-BLOCK));
  for (const [off, v] of patch) (typeof v === 'string' ? Buffer.from(v, 'latin1') : v).copy(b, off);
  return fixChecksum(b);
}

/** A typeflag `flag` record ('x', 'g', 'L', 'K') holding `data`, as raw blocks. */
export function metaRecord(flag: string, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const b = rawBlock(hdr('././@Meta', { size: body.length }), [[156, flag]]);
  return Buffer.concat([b, body, Buffer.alloc(paddingFor(body.length))]);
}

/** A PAX record line "<len> key=value\n" with its self-counting length. */
export function paxLine(key: string | Buffer, value: string | Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(' '), Buffer.from(key), Buffer.from('='), Buffer.from(value), Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

/** A regular file entry with raw bytes: its header block (patched), its body, padding. */
export function rawFile(h: TarHeader, body: Buffer = Buffer.alloc(0), patch: Array<[number, Buffer | string]> = []): Buffer {
  return Buffer.concat([rawBlock({ ...h, size: body.length }, patch), body, Buffer.alloc(paddingFor(body.length))]);
}

export function rawTar(...parts: Buffer[]): Buffer {
  return Buffer.concat([...parts, END_OF_ARCHIVE]);
}

export type { TarWriteEntry };

/** Everything about one entry of a tree that a write could change. */
interface Recorded {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtimeNs: bigint;
  nlink: number;
  size: number;
  content?: string;
  link?: string;
  xattrs: Array<[string, string]>;
}

/**
 * Make the sentinel tree in `dir`: files, a setuid file, a directory with a symlink and a
 * fifo, an xattr, fixed times. The names match what hostile archives aim at (victim, sub).
 */
export async function makeSentinel(dir: string): Promise<void> {
  await mkdir(join(dir, 'sub'), { recursive: true });
  await writeFile(join(dir, 'victim'), 'victim contents\n', { mode: 0o644 });
  await writeFile(join(dir, 'suid'), 'suid', { mode: 0o4755 });
  await writeFile(join(dir, 'sub', 'inner'), 'inner\n', { mode: 0o600 });
  await symlink('../victim', join(dir, 'sub', 'link'));
  const d = ScopedDir.open(dir);
  try {
    d.setxattr('victim', 'user.sentinel', Buffer.from('kept'));
  } finally {
    d.close();
  }
  for (const p of ['victim', 'suid', 'sub/inner', 'sub', '']) await utimes(join(dir, p), 1_000_000_000, 1_000_000_000);
  await lutimes(join(dir, 'sub', 'link'), 1_000_000_000, 1_000_000_000);
}

/** Record every entry below `dir` (not following symlinks), leaving out `skip` (relative names). */
export async function recordTree(dir: string, skip: ReadonlySet<string> = new Set()): Promise<Map<string, Recorded>> {
  const out = new Map<string, Recorded>();
  const d = ScopedDir.open(dir);
  try {
    const visit = async (rel: string): Promise<void> => {
      const abs = rel === '' ? dir : join(dir, rel);
      const st = await lstat(abs, { bigint: true });
      const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : st.isFIFO() ? 'fifo' : st.isCharacterDevice() ? 'char' : st.isBlockDevice() ? 'block' : 'other';
      const r: Recorded = {
        type, mode: Number(st.mode), uid: Number(st.uid), gid: Number(st.gid), mtimeNs: st.mtimeNs, nlink: Number(st.nlink), size: Number(st.size),
        xattrs: [...d.xattrs(rel)].map(([k, v]) => [k, v.toString('hex')] as [string, string]).sort(),
      };
      if (type === 'file') r.content = createHash('sha256').update(await readFile(abs)).digest('hex');
      if (type === 'symlink') r.link = await readlink(abs);
      out.set(rel, r);
      if (type === 'dir') {
        for (const name of (await readdir(abs)).sort()) {
          const child = rel === '' ? name : `${rel}/${name}`;
          if (!skip.has(child)) await visit(child);
        }
      }
    };
    await visit('');
  } finally {
    d.close();
  }
  return out;
}

// a valid VFS_CAP_REVISION_2 value granting cap_net_raw
const CAP = Buffer.from([1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const OUT = '@OUT@'; // replaced by the sentinel directory's absolute path

export interface HostileCase {
  name: string;
  /** Entries for the project's writer, or raw tar bytes (given the sentinel path). */
  tar: TarWriteEntry[] | ((out: string) => Buffer);
  /** A message the refusal must match; absent when the layer applies. */
  refused?: RegExp;
  /** Checks inside the target after a layer that applied. */
  check?: (target: string, out: string) => Promise<void>;
}

const dev = (name: string, type: 'char' | 'block' | 'fifo', over: Parameters<typeof hdr>[1] = {}): TarWriteEntry =>
  ({ header: hdr(name, { type, mode: 0o600, devmajor: type === 'fifo' ? 0 : 1, devminor: type === 'fifo' ? 0 : 3, ...over }) });
const x = (pairs: Array<[string, Buffer | string]>) => new Map(pairs.map(([k, v]) => [k, Buffer.from(v)]));
const absent = async (p: string) => assert.equal(await lstat(p).then(() => true, () => false), false, `${p} must not exist`);
const isSymlinkTo = async (p: string, to: string) => assert.equal(await readlink(p), to);

/** The hostile layers: names say what each tries. */
export const HOSTILE_CASES: HostileCase[] = [
  // symlink races: an entry below a directory that a later entry turns into a symlink
  { name: 'block device, then its parent swapped for a symlink out', tar: [dir('a/'), dev('a/n', 'block'), symlinkEntry('a', OUT)],
    check: async (t, out) => { await absent(join(out, 'n')); await isSymlinkTo(join(t, 'a'), out); } },
  { name: 'char device, then its parent swapped for a symlink out', tar: [dir('a/'), dev('a/n', 'char'), symlinkEntry('a', OUT)], check: async (_t, out) => absent(join(out, 'n')) },
  { name: 'fifo, then its parent swapped for a symlink out', tar: [dir('a/'), dev('a/n', 'fifo'), symlinkEntry('a', OUT)], check: async (_t, out) => absent(join(out, 'n')) },
  { name: 'whiteout, then its parent swapped for a symlink out', tar: [dir('a/'), file('a/.wh.victim', ''), symlinkEntry('a', OUT)] },
  { name: 'opaque marker, then its parent swapped for a symlink out', tar: [dir('a/'), file('a/.wh..wh..opq', ''), symlinkEntry('a', OUT)] },
  { name: 'file with xattrs, then its parent swapped for a symlink out', tar: [dir('a/'), file('a/victim', 'x', { xattrs: x([['security.capability', CAP], ['user.x', 'y']]) }), symlinkEntry('a', OUT)] },
  { name: 'directory time, then the directory swapped for a symlink out', tar: [dir('a/', { mtime: 5 }), symlinkEntry('a', OUT)] },
  { name: 'directory time, then the directory swapped for a symlink to a sentinel file', tar: [dir('victim/', { mtime: 5 }), symlinkEntry('victim', `${OUT}/victim`)] },
  { name: 'directory with xattrs swapped for a symlink out', tar: [dir('a/', { xattrs: x([['user.x', 'y']]) }), symlinkEntry('a', OUT), dir('a/', { xattrs: x([['user.z', 'z']]) })],
    check: async (t) => assert.ok((await lstat(join(t, 'a'))).isDirectory()) },
  { name: 'entry below a directory replaced by an absolute symlink', tar: [dir('a/'), symlinkEntry('a', OUT), file('a/victim', 'pwned')], refused: /path escapes the layer root through symlink "a"/ },
  { name: 'entry below a directory replaced by a symlink climbing out', tar: [dir('a/'), symlinkEntry('a', '../../../out'), file('a/victim', 'pwned')], refused: /path escapes the layer root/ },
  { name: 'device below a symlink climbing out', tar: [symlinkEntry('a', '..'), dev('a/n', 'block')], refused: /path escapes the layer root/ },
  { name: 'symlink chain climbing out', tar: [symlinkEntry('a', 'b'), symlinkEntry('b', 'c/../..'), dir('c/'), file('a/victim', 'pwned')], refused: /path escapes the layer root/ },
  { name: 'symlink loop', tar: [symlinkEntry('a', 'b'), symlinkEntry('b', 'a'), file('a/f', 'x')], refused: /too many levels of symbolic links/ },
  { name: 'file over a symlink to a sentinel file', tar: [symlinkEntry('v', `${OUT}/victim`), file('v', 'pwned')],
    check: async (t) => assert.equal(await readFile(join(t, 'v'), 'utf8'), 'pwned') },
  { name: 'directory over a symlink out, then a file in it', tar: [symlinkEntry('d', OUT), dir('d/'), file('d/victim', 'pwned')],
    check: async (t) => assert.equal(await readFile(join(t, 'd/victim'), 'utf8'), 'pwned') },
  { name: 'device over a symlink to a sentinel file', tar: [symlinkEntry('v', `${OUT}/victim`), dev('v', 'char')], check: async (t) => assert.ok((await lstat(join(t, 'v'))).isCharacterDevice()) },
  { name: 'symlink over a symlink out', tar: [symlinkEntry('v', `${OUT}/victim`), symlinkEntry('v', `${OUT}/suid`)] },
  { name: 'relative symlink inside is followed', tar: [dir('usr/lib/'), symlinkEntry('lib', 'usr/lib'), file('lib/x', 'in')],
    check: async (t) => assert.equal(await readFile(join(t, 'usr/lib/x'), 'utf8'), 'in') },
  { name: 'xattrs on a symlink to a sentinel file stay on the symlink', tar: [symlinkEntry('v', `${OUT}/victim`, { xattrs: x([['security.capability', CAP], ['trusted.t', 'v']]) })] },
  // hardlinks in every order
  { name: 'hardlink climbing out', tar: [hardlinkEntry('h', '../out/victim')], refused: /path escapes the layer root/ },
  { name: 'hardlink through an absolute symlink', tar: [symlinkEntry('s', OUT), hardlinkEntry('h', 's/victim')], refused: /path escapes the layer root through symlink "s"/ },
  { name: 'hardlink through a relative symlink climbing out', tar: [symlinkEntry('s', '../..'), hardlinkEntry('h', 's/out/victim')], refused: /path escapes the layer root/ },
  { name: 'hardlink to a symlink out links the symlink, then a file over it', tar: [symlinkEntry('s', `${OUT}/victim`), hardlinkEntry('h', 's'), file('h', 'pwned')],
    check: async (t, out) => { await isSymlinkTo(join(t, 's'), `${out}/victim`); assert.equal(await readFile(join(t, 'h'), 'utf8'), 'pwned'); } },
  { name: 'hardlink over a symlink out', tar: [file('f', 'f'), symlinkEntry('h', `${OUT}/victim`), hardlinkEntry('h', 'f')],
    check: async (t) => assert.equal((await lstat(join(t, 'h'))).ino, (await lstat(join(t, 'f'))).ino) },
  { name: 'hardlink, then its parent swapped for a symlink out', tar: [file('f', 'f'), dir('a/'), hardlinkEntry('a/victim', 'f'), symlinkEntry('a', OUT)] },
  { name: 'hardlinks across directories, the new one in a directory of its own', tar: [file('d1/f', 'f'), dir('d2/'), hardlinkEntry('d2/h', 'd1/f'), hardlinkEntry('d2/h2', 'd1/f'), hardlinkEntry('d3/h', 'd2/h')],
    check: async (t) => assert.equal((await lstat(join(t, 'd3/h'))).nlink, 4) },
  { name: 'hardlink to a directory', tar: [dir('d/'), hardlinkEntry('h', 'd')], refused: /Cannot apply layer entry "h": link failed with EPERM/ },
  { name: 'hardlink to nothing', tar: [hardlinkEntry('h', 'missing')], refused: /hardlink target "missing" does not exist/ },
  { name: 'hardlink with an absolute target names the layer root', tar: [file('etc/f', 'f'), hardlinkEntry('h', '/etc/f')],
    check: async (t) => assert.equal((await lstat(join(t, 'h'))).ino, (await lstat(join(t, 'etc/f'))).ino) },
  // whiteouts
  { name: 'whiteout ".wh..." (of "..")', tar: [file('.wh...', '')], refused: /invalid whiteout name "\.wh\.\.\."/ },
  { name: 'whiteout ".wh.." (of ".")', tar: [dir('a/'), file('a/.wh..', '')], refused: /invalid whiteout name/ },
  { name: 'whiteout ".wh." (of nothing)', tar: [file('.wh.', '')], refused: /invalid whiteout name/ },
  { name: 'whiteout below a symlink out', tar: [symlinkEntry('s', OUT), file('s/.wh.victim', '')], refused: /path escapes the layer root/ },
  { name: 'whiteout below a symlink climbing to the parent dir', tar: [symlinkEntry('s', '..'), file('s/.wh.sibling', '')], refused: /path escapes the layer root/ },
  { name: 'opaque marker below a symlink out', tar: [symlinkEntry('s', OUT), file('s/.wh..wh..opq', '')], refused: /path escapes the layer root/ },
  { name: 'whiteout of a directory holding symlinks out', tar: [dir('d/'), symlinkEntry('d/s', OUT), symlinkEntry('d/v', `${OUT}/victim`), file('.wh.d', '')],
    check: async (t) => { const st = await lstat(join(t, 'd')); assert.ok(st.isCharacterDevice() && st.rdev === 0); } },
  { name: 'opaque marker at the layer root', tar: [file('.wh..wh..opq', ''), file('f', 'x')] },
  // xattrs
  { name: 'xattr name with newlines aiming setfattr at a sentinel file', tar: [file('f', 'x', { xattrs: x([['user.a\n\n# file: @OUT@/victim\nsecurity.capability', CAP]]) })] },
  { name: 'security.capability applies to the entry only', tar: [file('ping', 'elf', { mode: 0o755, xattrs: x([['security.capability', CAP]]) })],
    check: async (t) => { const d = ScopedDir.open(t); try { assert.deepEqual(d.xattrs('ping').get('security.capability'), CAP); } finally { d.close(); } } },
  { name: 'overlay xattrs from the archive are dropped', tar: [dir('d/', { xattrs: x([['trusted.overlay.redirect', '/x'], ['trusted.overlay.opaque', 'y']]) })],
    check: async (t) => { const d = ScopedDir.open(t); try { assert.equal(d.xattrs('d').size, 0); } finally { d.close(); } } },
  { name: 'an invalid security.capability value', tar: [file('f', 'x', { xattrs: x([['security.capability', 'junk']]) })], refused: /Cannot apply layer entry "f": fsetxattr failed with EINVAL/ },
  { name: 'an empty xattr name', tar: [file('f', 'x', { xattrs: x([['', 'v']]) })], refused: /an extended attribute has an empty name/ },
  { name: 'an xattr name past 255 bytes', tar: [dir('d/', { xattrs: x([[`user.${'n'.repeat(300)}`, 'v']]) })], refused: /Cannot apply layer entry "d\/": setxattr failed with ERANGE/ },
  { name: 'an xattr value past 64 KiB', tar: [file('f', 'x', { xattrs: x([['user.big', Buffer.alloc(70_000, 1)]]) })], refused: /Cannot apply layer entry "f": fsetxattr failed with E2BIG/ },
  // names
  { name: 'dot-dot name', tar: [file('../escape', 'x')], refused: /path escapes the layer root/ },
  { name: 'nested dot-dot name', tar: [file('a/../../escape', 'x')], refused: /path escapes the layer root/ },
  { name: 'absolute name', tar: [file('/escape', 'x')], refused: /absolute paths are not allowed/ },
  { name: 'a name component longer than NAME_MAX', tar: [file(`a/${'n'.repeat(256)}`, 'x')], refused: /a path component is longer than 255 bytes/ },
  { name: 'a name longer than PATH_MAX', tar: [file(`${'d/'.repeat(2100)}f`, 'x')], refused: /path is longer than 4095 bytes/ },
  { name: 'PAX path with a NUL byte', tar: () => rawTar(metaRecord('x', paxLine('path', 'a\0b')), rawFile(hdr('f'))), refused: /malformed PAX record/ },
  // duplicates
  { name: 'duplicate entries: last wins, directories kept and updated', tar: [file('a', '1'), file('a', '2'), dir('d/', { mode: 0o700 }), file('d/f', 'f'), dir('d/', { mode: 0o750, mtime: 7 }), file('d', 'now a file'), dir('e/'), dir('e/', { mode: 0o711 })],
    check: async (t) => {
      assert.equal(await readFile(join(t, 'a'), 'utf8'), '2');
      assert.equal(await readFile(join(t, 'd'), 'utf8'), 'now a file');
      assert.notEqual((await lstat(join(t, 'd'))).mtimeMs, 7000, 'a directory time is not set on the file that replaced it');
      assert.equal((await lstat(join(t, 'e'))).mode & 0o7777, 0o711);
    } },
  // headers Go's archive/tar refuses
  { name: 'PAX size negative', tar: () => rawTar(metaRecord('x', paxLine('size', '-1')), rawFile(hdr('f'))), refused: /archive\/tar: invalid tar header: size of "f" is not a non-negative integer/ },
  { name: 'PAX size fractional', tar: () => rawTar(metaRecord('x', paxLine('size', '1.5')), rawFile(hdr('f'))), refused: /PAX size "1\.5" is not an integer/ },
  { name: 'PAX uid in exponent form', tar: () => rawTar(metaRecord('x', paxLine('uid', '1e30')), rawFile(hdr('f'))), refused: /PAX uid "1e30" is not an integer/ },
  { name: 'PAX uid past 32 bits', tar: () => rawTar(metaRecord('x', paxLine('uid', '4294967296')), rawFile(hdr('f'))), refused: /uid 4294967296 of "f" is out of range/ },
  { name: 'PAX gid of -1', tar: () => rawTar(metaRecord('x', paxLine('gid', '-1')), rawFile(hdr('f'))), refused: /gid -1 of "f" is out of range/ },
  { name: 'PAX mtime not a number', tar: () => rawTar(metaRecord('x', paxLine('mtime', 'NaN')), rawFile(hdr('f'))), refused: /PAX mtime "NaN" is not a time in seconds/ },
  { name: 'PAX mtime past int64 seconds', tar: () => rawTar(metaRecord('x', paxLine('mtime', '1'.padEnd(31, '0'))), rawFile(hdr('f'))), refused: /mtime of "f" is out of range/ },
  { name: 'PAX record with a bad length', tar: () => rawTar(metaRecord('x', '99 path=a\n'), rawFile(hdr('f'))), refused: /malformed PAX record/ },
  { name: 'PAX record without "="', tar: () => rawTar(metaRecord('x', '9 pathxx\n'), rawFile(hdr('f'))), refused: /malformed PAX record/ },
  { name: 'PAX GNU sparse records', tar: () => rawTar(metaRecord('x', Buffer.concat([paxLine('GNU.sparse.major', '1'), paxLine('GNU.sparse.minor', '0')])), rawFile(hdr('f'))), refused: /unsupported sparse file entry/ },
  { name: 'GNU sparse entry', tar: () => rawTar(rawFile(hdr('f'), Buffer.alloc(0), [[156, 'S']])), refused: /unsupported sparse file entry "f"/ },
  { name: 'non-octal uid', tar: () => rawTar(rawFile(hdr('f'), Buffer.alloc(0), [[108, 'zz12345\0']])), refused: /uid NaN of "f" is out of range/ },
  { name: 'non-octal size', tar: () => rawTar(rawFile(hdr('f'), Buffer.alloc(0), [[124, '1x\0']])), refused: /size is not a non-negative octal or base-256 number/ },
  { name: 'base-256 size past 2^53', tar: () => rawTar(rawFile(hdr('f'), Buffer.alloc(0), [[124, Buffer.from([0x80, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]])), refused: /size is not a non-negative/ },
  { name: 'base-256 negative size', tar: () => rawTar(rawFile(hdr('f'), Buffer.alloc(0), [[124, Buffer.alloc(12, 0xff)]])), refused: /size is not a non-negative/ },
  { name: 'base-256 uid past 32 bits', tar: () => rawTar(rawFile(hdr('f'), Buffer.alloc(0), [[108, Buffer.from([0x80, 0, 0, 1, 0, 0, 0, 0])]])), refused: /uid 4294967296 of "f" is out of range/ },
  { name: 'bad checksum', tar: () => { const b = rawFile(hdr('f')); b[0] = 0x67; return rawTar(b); }, refused: /archive\/tar: invalid tar header: bad checksum \(header at byte 0\)/ },
  { name: 'a GNU long name past 1 MiB', tar: () => rawTar(metaRecord('L', 'a'.repeat((1 << 20) + 1)), rawFile(hdr('f'))), refused: /header field too long/ },
  { name: 'a device number past 20 bits', tar: () => rawTar(rawBlock(hdr('n', { type: 'char', devmajor: 0o7777777 }))), refused: /devmajor of "n" is out of range/ },
  { name: 'an unknown entry type', tar: () => rawTar(rawFile(hdr('v'), Buffer.alloc(0), [[156, 'V']])), refused: /unhandled tar header type "V"/ },
  { name: 'mtime before the epoch becomes the epoch, as in Docker', tar: () => rawTar(metaRecord('x', paxLine('mtime', '-5')), rawFile(hdr('f'))),
    check: async (t) => assert.equal((await lstat(join(t, 'f'))).mtimeMs, 0) },
  // bombs, bounded
  { name: 'entry count: 5,000 entries in one directory', tar: Array.from({ length: 5000 }, (_, i) => file(`many/${i}`, '')),
    check: async (t) => assert.ok((await lstat(join(t, 'many/4999'))).isFile()) },
  { name: 'size: 64 MiB of zeros from a 64 KiB gzip', tar: () => gzipSync(rawTar(rawFile(hdr('zeros'), Buffer.alloc(64 << 20))), { level: 9 }),
    check: async (t) => assert.equal((await lstat(join(t, 'zeros'))).size, 64 << 20) },
  { name: 'corrupt xz', tar: () => Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(200, 0x55)]), refused: /Cannot decompress xz input: xz failed/ },
  { name: 'corrupt bzip2', tar: () => Buffer.concat([Buffer.from('BZh9'), Buffer.alloc(200, 0x55)]), refused: /Cannot decompress bzip2 input: bzip2 failed/ },
  { name: 'truncated gzip', tar: () => { const gz = gzipSync(rawTar(rawFile(hdr('f'), Buffer.alloc(100_000, 1)))); return gz.subarray(0, gz.length - 30); }, refused: /Cannot read layer: unexpected end of file|unexpected EOF/ },
  { name: 'a PAX record bomb of 1 MiB + 1', tar: () => rawTar(metaRecord('x', Buffer.alloc((1 << 20) + 1, 0x41)), rawFile(hdr('f'))), refused: /header field too long/ },
];

/** The case's tar, aimed at the sentinel directory `out`. */
export async function buildHostileTar(c: HostileCase, out: string): Promise<Buffer> {
  if (typeof c.tar === 'function') return c.tar(out);
  const sub = (s: string) => s.replaceAll(OUT, out);
  return tarBuffer(c.tar.map((e) => ({
    ...e,
    header: { ...e.header, name: sub(e.header.name), linkname: sub(e.header.linkname), ...(e.header.xattrs ? { xattrs: new Map([...e.header.xattrs].map(([k, v]) => [sub(k), v])) } : {}) },
  })));
}

