import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Stats } from 'node:fs';
import { readXattrsTree } from '../../host/index.js';
import type { TarHeader } from './tar-header.js';
import type { TarWriteEntry } from './tar-writer.js';

export interface WalkOptions {
  root: string;
  /** Skip an entry (and, for a directory, everything below it). Paths are root-relative. */
  exclude?: (rel: string, st: Stats) => boolean;
  /** Rewrite or drop entries (whiteout conversion); may return several. */
  map?: (e: TarWriteEntry, st: Stats, xattrs: Map<string, Buffer> | undefined) => TarWriteEntry[];
  signal?: AbortSignal;
}

/** xattrs never carried into archives: overlay's own bookkeeping and host labels. */
function keepXattr(name: string): boolean {
  return !name.startsWith('trusted.overlay.') && name !== 'security.selinux';
}

/** Linux's encoding of a device number into major/minor. */
export function devMajor(rdev: number): number {
  return Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
}
export function devMinor(rdev: number): number {
  return Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));
}

/**
 * Walk a directory tree in lexical order and describe it as tar entries (relative
 * names, directories with a trailing slash, hardlinks detected by inode, sockets
 * skipped), reading all xattrs with one host call.
 */
export async function* walkTree(opts: WalkOptions): AsyncGenerator<TarWriteEntry> {
  const xattrs = await readXattrsTree(opts.root);
  const seen = new Map<string, string>();
  async function* visit(rel: string): AsyncGenerator<TarWriteEntry> {
    const names = (await readdir(rel === '' ? opts.root : join(opts.root, rel))).sort();
    for (const name of names) {
      opts.signal?.throwIfAborted();
      const child = rel === '' ? name : `${rel}/${name}`;
      const abs = join(opts.root, child);
      let st: Stats;
      try {
        st = await lstat(abs);
      } catch {
        continue; // vanished while walking
      }
      if (opts.exclude?.(child, st)) continue;
      if (st.isSocket()) continue;
      const h: TarHeader = {
        name: child, type: 'file', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: 0,
        mtime: Math.floor(st.mtimeMs / 1000), linkname: '',
      };
      const x = xattrs.get(child);
      if (x) {
        const kept = new Map([...x].filter(([k]) => keepXattr(k)));
        if (kept.size > 0) h.xattrs = kept;
      }
      let entry: TarWriteEntry = { header: h };
      const isWhiteout = st.isCharacterDevice() && st.rdev === 0;
      if (!st.isDirectory() && st.nlink > 1 && !isWhiteout) {
        const key = `${st.dev}:${st.ino}`;
        const first = seen.get(key);
        if (first !== undefined) {
          entry = { header: { ...h, type: 'link', linkname: first, xattrs: undefined } };
        } else seen.set(key, child);
      }
      if (entry.header.type !== 'link') {
        if (st.isDirectory()) { h.type = 'directory'; h.name = `${child}/`; }
        else if (st.isSymbolicLink()) { h.type = 'symlink'; h.linkname = await readlink(abs); }
        else if (st.isCharacterDevice() || st.isBlockDevice()) {
          h.type = st.isCharacterDevice() ? 'char' : 'block';
          h.devmajor = devMajor(st.rdev);
          h.devminor = devMinor(st.rdev);
        } else if (st.isFIFO()) h.type = 'fifo';
        else { h.size = st.size; entry.body = abs; }
      }
      const out = opts.map ? opts.map(entry, st, x) : [entry];
      yield* out;
      if (st.isDirectory()) yield* visit(child);
    }
  }
  yield* visit('');
}
