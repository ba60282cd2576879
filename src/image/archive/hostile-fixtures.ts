import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, symlink, utimes, writeFile, lutimes } from 'node:fs/promises';
import { join } from 'node:path';
import { ScopedDir } from '../../host/index.js';
import { BLOCK, encodeHeader, END_OF_ARCHIVE, paddingFor, type TarHeader } from './tar-header.js';
import { hdr } from './tar-fixtures.js';
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
