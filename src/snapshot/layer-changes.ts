import { fileType, S_IFCHR, S_IFDIR, S_IFREG, ScopedDir, type ScopedStat } from '../host/index.js';
import { OVERLAY_OPAQUE_XATTR, walkTree } from '../image/archive/index.js';

/** One entry of `docker diff`: added, changed or deleted, relative to the image. */
export interface LayerChange {
  /** Absolute in the container ("/etc/passwd"). */
  path: string;
  kind: 'A' | 'C' | 'D';
}

/** What the rw layer holds, counted as Docker counts SizeRw. */
export interface LayerUsage {
  /** Bytes of every non-directory entry, each inode once. */
  size: number;
  /** Entries in the layer (directories included). */
  inodes: number;
}

/**
 * The mount points the runtime creates in the rw layer when the image lacks them. Docker keeps
 * them in a per-container init layer below the rw layer, so they are never the container's
 * changes; here they are left out of changes and diffs while they are what the runtime made
 * (a directory, or an empty file).
 */
const RUNTIME_MOUNT_POINTS = new Set([
  '.dockerenv', 'proc', 'sys', 'dev', 'dev/pts', 'dev/shm', 'dev/mqueue', 'dev/console',
  'etc/hostname', 'etc/hosts', 'etc/resolv.conf',
]);
/** Their parents: the runtime's mkdir/mknod moved these directories' mtimes. */
const MOUNT_POINT_PARENTS = new Set(['dev', 'etc']);

export function isRuntimeMountPoint(rel: string, st: ScopedStat): boolean {
  if (!RUNTIME_MOUNT_POINTS.has(rel)) return false;
  const type = fileType(st.mode);
  return type === S_IFDIR || (type === S_IFREG && st.size === 0);
}

function isWhiteout(st: ScopedStat): boolean {
  return fileType(st.mode) === S_IFCHR && st.rdev === 0;
}

/** Tar and the kernel disagree on sub-second mtimes: equal, or equal seconds where one side has none. */
function sameTime(a: ScopedStat, b: ScopedStat): boolean {
  return a.mtimeSec === b.mtimeSec && (a.mtimeNsec === b.mtimeNsec || a.mtimeNsec === 0 || b.mtimeNsec === 0);
}

/**
 * The changes an overlay upper dir makes over its lower dirs (top-most first), in the walk's
 * lexical order, by the rules of Docker's overlay2 driver: a whiteout or an opaque directory
 * is a deletion of its path; an entry present in a lower layer is a change (a directory only
 * when its size, mode or mtime differ), anything else an addition; the parent of an addition
 * or deletion is a change when not already listed. Every read is fd-relative beneath the
 * upper and lower dirs, never through a symlink.
 */
export async function layerChanges(opts: { upper: string; lowerDirs: readonly string[]; signal?: AbortSignal }): Promise<LayerChange[]> {
  const lowers = opts.lowerDirs.map((l) => ScopedDir.open(l));
  const changes: LayerChange[] = [];
  const changedDirs = new Set<string>();
  const inLower = (rel: string): ScopedStat | undefined => {
    for (const l of lowers) {
      try {
        const st = l.lstat(rel);
        if (st) return st;
      } catch (e) {
        // a parent that is a file or a symlink in that layer: not there
        const code = (e as { code?: unknown })?.code;
        if (code !== 'ENOTDIR' && code !== 'ELOOP') throw e;
      }
    }
    return undefined;
  };
  const visit = (rel: string, st: ScopedStat, xattrs: Map<string, Buffer> | undefined): void => {
    const path = `/${rel}`;
    const isDir = fileType(st.mode) === S_IFDIR;
    let kind: LayerChange['kind'];
    if (isWhiteout(st) || (isDir && xattrs?.get(OVERLAY_OPAQUE_XATTR)?.toString() === 'y')) kind = 'D';
    else {
      const lower = inLower(rel);
      if (!lower) kind = 'A';
      else {
        if (isDir && fileType(lower.mode) === S_IFDIR && st.size === lower.size && st.mode === lower.mode
          && (sameTime(st, lower) || MOUNT_POINT_PARENTS.has(rel))) return;
        kind = 'C';
      }
    }
    if (isDir) changedDirs.add(path);
    if (kind !== 'C') {
      const slash = path.lastIndexOf('/');
      const parent = path.slice(0, slash);
      if (slash > 0 && !changedDirs.has(parent)) {
        changes.push({ path: parent, kind: 'C' });
        changedDirs.add(parent);
      }
    }
    changes.push({ path, kind });
  };
  try {
    const walk = walkTree({
      root: opts.upper,
      signal: opts.signal,
      exclude: isRuntimeMountPoint,
      map: (e, st, xattrs) => {
        visit(e.header.name.replace(/\/$/, ''), st, xattrs);
        return [e];
      },
    });
    await drain(walk);
  } finally {
    for (const l of lowers) l.close();
  }
  return changes;
}

/** Docker's SizeRw of an rw layer: the sizes of its non-directory entries, each inode counted once. */
export async function layerUsage(opts: { upper: string; signal?: AbortSignal }): Promise<LayerUsage> {
  const seen = new Set<number>();
  let size = 0;
  let inodes = 0;
  const walk = walkTree({
    root: opts.upper,
    signal: opts.signal,
    map: (e, st) => {
      inodes++;
      if (fileType(st.mode) !== S_IFDIR && st.size > 0 && !seen.has(st.ino)) {
        seen.add(st.ino);
        size += st.size;
      }
      return [e];
    },
  });
  await drain(walk);
  return { size, inodes };
}

/** Run a walk to its end (its map() does the work), letting the event loop in every few hundred entries. */
async function drain(walk: AsyncIterable<unknown>): Promise<void> {
  let n = 0;
  for await (const _ of walk) {
    if (++n % 512 === 0) await new Promise((r) => setImmediate(r));
  }
}
