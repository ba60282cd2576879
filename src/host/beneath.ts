import { InternalError } from '../base/index.js';
import { hostAddon, type HostAddon } from './native.js';

/** What lstat() reports of an entry beneath a ScopedDir. */
export interface ScopedStat {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds and nanoseconds. */
  mtimeSec: number;
  mtimeNsec: number;
  ino: number;
  dev: number;
  nlink: number;
  rdev: number;
}

const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFIFO = 0o010000;
export const S_IFSOCK = 0o140000;

export function fileType(mode: number): number {
  return mode & S_IFMT;
}

/**
 * A directory opened once, and every file system call on what is below it made relative to
 * that descriptor, by the addon: parents resolved with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS) and the last component never followed. Whatever the tree holds, no call
 * reaches outside it. Paths are root-relative ('' is the root), without '.' or '..'
 * components; a symlink anywhere but the last component fails with ELOOP.
 *
 * There is no fallback without the addon: opening throws (docs/decisions/0009-extraction.md).
 */
export class ScopedDir {
  private constructor(private readonly a: HostAddon, readonly path: string, readonly fd: number) {}

  /**
   * Open `path`. `writer` says the caller is the only one changing the tree (a layer being
   * unpacked into a private directory): the last parent directory resolved then stays open
   * between calls (dropped by every remove()), which saves two syscalls per entry.
   */
  static open(path: string, opts: { writer?: boolean } = {}): ScopedDir {
    if (!hostAddon) {
      throw new InternalError(`Cannot open "${path}" for safe extraction: berth's native addon (dist/native/berth-host.node) is not built; run "sh scripts/build-native.sh" with a C compiler and Node's headers`);
    }
    return new ScopedDir(hostAddon, path, hostAddon.openRoot(path, opts.writer ?? false));
  }

  close(): void {
    this.a.close(this.fd);
  }

  /** The entry itself (a symlink is not followed), or undefined when absent. */
  lstat(rel: string): ScopedStat | undefined {
    const f = this.a.lstat(this.fd, rel);
    if (!f) return undefined;
    return {
      mode: f[0]!, uid: f[1]!, gid: f[2]!, size: f[3]!, mtimeSec: f[4]!, mtimeNsec: f[5]!, ino: f[6]!, dev: f[7]!, nlink: f[8]!, rdev: f[9]!,
    };
  }

  readlink(rel: string): string {
    return this.a.readlink(this.fd, rel);
  }

  readdir(rel: string): string[] {
    return this.a.readdir(this.fd, rel);
  }

  /** A read-only fd of a regular file (EINVAL for anything else, which is never opened); the caller closes it. */
  openRead(rel: string): number {
    return this.a.openRead(this.fd, rel);
  }

  /** A write-only fd of a new regular file (mode 0600), or undefined when something is there. */
  create(rel: string): number | undefined {
    const fd = this.a.create(this.fd, rel);
    return fd < 0 ? undefined : fd;
  }

  /** Make a directory (or keep one) with this owner and mode; false when a non-directory is in the way. */
  mkdir(rel: string, o: { mode: number; uid: number; gid: number }): boolean {
    return this.a.mkdir(this.fd, rel, o.mode, o.uid, o.gid);
  }

  /** A device node or fifo with exactly this mode, owner and mtime; false when something is there. */
  mknod(rel: string, o: { type: 'char' | 'block' | 'fifo'; mode: number; major: number; minor: number; uid: number; gid: number; mtime: number }): boolean {
    const kind = o.type === 'char' ? 'c' : o.type === 'block' ? 'b' : 'p';
    return this.a.mknod(this.fd, rel, kind, o.mode, o.major, o.minor, o.uid, o.gid, Math.trunc(o.mtime));
  }

  /** A symlink with this owner and mtime; false when something is there. */
  symlink(rel: string, target: string, o: { uid: number; gid: number; mtime: number }): boolean {
    return this.a.symlink(this.fd, rel, target, o.uid, o.gid, Math.trunc(o.mtime));
  }

  /** A hard link at `rel` to the entry `existing` (itself, not what it may point to); false when something is at `rel`. */
  link(existing: string, rel: string): boolean {
    return this.a.link(this.fd, existing, rel);
  }

  /** Set the entry's atime and mtime (seconds, may be fractional); with onlyDir, only if it is a directory. False when absent. */
  utimes(rel: string, mtime: number, opts: { onlyDir?: boolean } = {}): boolean {
    const sec = Math.floor(mtime);
    const nsec = Math.min(999_999_999, Math.round((mtime - sec) * 1e9));
    return this.a.utimes(this.fd, rel, sec, nsec, opts.onlyDir ?? false);
  }

  setxattr(rel: string, name: string, value: Uint8Array): void {
    this.a.setxattr(this.fd, rel, name, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }

  /** Every extended attribute of the entry itself. */
  xattrs(rel: string): Map<string, Buffer> {
    const flat = this.a.xattrs(this.fd, rel);
    const out = new Map<string, Buffer>();
    for (let i = 0; i + 1 < flat.length; i += 2) out.set(flat[i] as string, flat[i + 1] as Buffer);
    return out;
  }

  /**
   * A read-only fd of the regular file that `path` names when this directory is taken as "/":
   * symlinks (absolute or relative) and ".." are followed but never lead above it, and the file
   * is opened in the same step (openat2 RESOLVE_IN_ROOT, or a walk of O_NOFOLLOW opens), so no
   * swap of a component for a symlink reaches outside. Throws ENOENT, ENOTDIR, ELOOP, EISDIR,
   * EINVAL (not a regular file: never opened). The caller closes the fd.
   */
  openInRoot(path: string): number {
    return this.a.openInRoot(this.fd, path);
  }

  /**
   * `mkdir -p` of `path` resolved as openInRoot() does (a dangling symlink is made where it
   * points, inside); what is made gets this owner and mode, what exists is kept. ENOTDIR when a
   * non-directory is in the way.
   */
  mkdirInRoot(path: string, o: { mode: number; uid: number; gid: number }): void {
    this.a.mkdirInRoot(this.fd, path, o.mode, o.uid, o.gid);
  }

  /**
   * Copy what is beneath `from` here into the directory `dst`, on the thread pool, in one addon
   * call: content, owners, modes, times, extended attributes (not overlayfs' own), symlinks as
   * they are, hard links as links, device nodes and fifos; sockets are skipped. Every entry is
   * reached from a directory opened beneath its root and made with O_EXCL or its like, so
   * nothing either tree holds (a symlink planted in `dst`) leads a write outside: what is
   * already in `dst` is kept, and a directory whose place holds a non-directory is skipped with
   * all it holds. `dst`'s own owner and mode are the caller's to set; both stay open until the
   * promise settles.
   */
  copyTo(from: string, dst: ScopedDir): Promise<void> {
    return this.a.copyTree(this.fd, from, dst.fd);
  }

  /** Remove the entry, a directory with all it holds; false when nothing was there. */
  remove(rel: string): boolean {
    return this.a.remove(this.fd, rel);
  }
}

/** Set an extended attribute on an open file (one create() returned). */
export function fsetxattr(fd: number, name: string, value: Uint8Array): void {
  if (!hostAddon) throw new InternalError('Cannot set extended attributes: berth\'s native addon is not built');
  hostAddon.fsetxattr(fd, name, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
}
