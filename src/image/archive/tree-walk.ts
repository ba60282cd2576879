import { closeSync, createReadStream, readSync } from 'node:fs';
import {
  fileType, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFREG, S_IFSOCK, ScopedDir, type ScopedStat,
} from '../../host/index.js';
import type { TarHeader } from './tar-header.js';
import type { TarWriteEntry } from './tar-writer.js';

export type { ScopedStat };

export interface WalkOptions {
  root: string;
  /** Skip an entry (and, for a directory, everything below it). Paths are root-relative. */
  exclude?: (rel: string, st: ScopedStat) => boolean;
  /** Entries the caller knows to have no extended attributes (their listing is skipped). */
  knownBare?: (rel: string, st: ScopedStat) => boolean;
  /** Rewrite or drop entries (whiteout conversion); may return several. */
  map?: (e: TarWriteEntry, st: ScopedStat, xattrs: Map<string, Buffer> | undefined) => TarWriteEntry[];
  signal?: AbortSignal;
  /** Walk only this entry below the root (itself first, then what it holds), root-relative without symlinks. */
  under?: string;
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

/** Files up to this size are read in one synchronous call: a stream per small file costs more than its bytes. */
const SMALL_FILE = 64 * 1024;

/**
 * A file's bytes through an fd opened beneath the root (never through a symlink), opened when
 * read. A small file is read at once (one byte past its size too, so that a file that grew
 * still fails the tar writer's size check, as a streamed one does).
 */
async function* fileBody(dir: ScopedDir, rel: string, size: number): AsyncGenerator<Buffer> {
  const fd = dir.openRead(rel);
  try {
    if (size <= SMALL_FILE) {
      const buf = Buffer.allocUnsafe(size + 1);
      let off = 0;
      for (;;) {
        const n = readSync(fd, buf, off, buf.length - off, off);
        if (n === 0) break;
        off += n;
        if (off === buf.length) break;
      }
      yield buf.subarray(0, off);
      return;
    }
    yield* createReadStream('', { fd, autoClose: false, highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>;
  } finally {
    closeSync(fd);
  }
}

/**
 * Walk a directory tree in lexical order and describe it as tar entries (relative
 * names, directories with a trailing slash, hardlinks detected by inode, sockets
 * skipped). Every read (listing, lstat, xattrs, link targets, file bodies) is fd-relative
 * beneath the root with symlinks never followed, so a tree that a running container can
 * change (an upper dir) cannot make the walk read anything outside it.
 */
export async function* walkTree(opts: WalkOptions): AsyncGenerator<TarWriteEntry> {
  const dir = ScopedDir.open(opts.root);
  const seen = new Map<string, string>();
  /** The entry describing `child`, or undefined when it is gone, excluded or a socket. */
  function describe(child: string): { entry: TarWriteEntry; st: ScopedStat; x: Map<string, Buffer> | undefined } | undefined {
    let st: ScopedStat | undefined;
    try {
      st = dir.lstat(child);
    } catch (e) {
      if (!isGone(e)) throw e;
    }
    if (!st) return undefined; // vanished while walking
    if (opts.exclude?.(child, st)) return undefined;
    const type = fileType(st.mode);
    if (type === S_IFSOCK) return undefined;
    const h: TarHeader = {
      name: child, type: 'file', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: 0,
      mtime: st.mtimeSec, linkname: '',
    };
    let x: Map<string, Buffer> | undefined;
    try {
      x = opts.knownBare?.(child, st) ? new Map() : dir.xattrs(child);
    } catch (e) {
      if ((e as { code?: unknown })?.code === 'EXDEV') x = new Map(); // a mount point: not crossed
      else if (isGone(e)) return undefined;
      else throw e;
    }
    if (x.size > 0) {
      const kept = new Map([...x].filter(([k]) => keepXattr(k)));
      if (kept.size > 0) h.xattrs = kept;
    } else x = undefined;
    let entry: TarWriteEntry = { header: h };
    const isWhiteout = type === S_IFCHR && st.rdev === 0;
    if (type !== S_IFDIR && st.nlink > 1 && !isWhiteout) {
      const key = `${st.dev}:${st.ino}`;
      const first = seen.get(key);
      if (first !== undefined) {
        entry = { header: { ...h, type: 'link', linkname: first, xattrs: undefined } };
      } else seen.set(key, child);
    }
    if (entry.header.type !== 'link') {
      if (type === S_IFDIR) { h.type = 'directory'; h.name = `${child}/`; }
      else if (type === S_IFLNK) { h.type = 'symlink'; h.linkname = dir.readlink(child); }
      else if (type === S_IFCHR || type === S_IFBLK) {
        h.type = type === S_IFCHR ? 'char' : 'block';
        h.devmajor = devMajor(st.rdev);
        h.devminor = devMinor(st.rdev);
      } else if (type === S_IFIFO) h.type = 'fifo';
      else if (type === S_IFREG) { h.size = st.size; entry.body = fileBody(dir, child, st.size); }
      else return undefined;
    }
    return { entry, st, x };
  }
  function* emit(child: string): Generator<TarWriteEntry | { descend: string }> {
    const d = describe(child);
    if (!d) return;
    yield* opts.map ? opts.map(d.entry, d.st, d.x) : [d.entry];
    if (fileType(d.st.mode) === S_IFDIR) yield { descend: child };
  }
  function* visit(rel: string): Generator<TarWriteEntry | { descend: string }> {
    let names: string[];
    try {
      names = dir.readdir(rel).sort();
    } catch (e) {
      // replaced while walking, or a mount point (a volume): listed, never crossed
      if (rel !== '' && (isGone(e) || (e as { code?: unknown })?.code === 'EXDEV')) return;
      throw e;
    }
    for (const name of names) {
      opts.signal?.throwIfAborted();
      yield* emit(rel === '' ? name : `${rel}/${name}`);
    }
  }
  try {
    // depth-first with an explicit stack of generators: no recursion limit on deep trees
    const stack = [opts.under ? emit(opts.under) : visit('')];
    while (stack.length > 0) {
      const r = stack[stack.length - 1]!.next();
      if (r.done) { stack.pop(); continue; }
      if ('descend' in r.value) stack.push(visit(r.value.descend));
      else yield r.value;
    }
  } finally {
    dir.close();
  }
}

function isGone(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}
