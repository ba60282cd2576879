import { closeSync, fchmodSync, fchownSync, futimesSync, readSync, writeSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, rename, rm, utimes } from 'node:fs/promises';
import { errnoCode } from '../base/index.js';
import { fileType, fsetxattr, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFREG, ScopedDir, type ScopedStat } from '../host/index.js';

export interface CopyUpOptions {
  /** The container's mounted root filesystem (the image's side). */
  rootfs: string;
  /** The absolute path in the container the volume is mounted at. */
  path: string;
  /** The volume's data directory. */
  data: string;
  /**
   * A directory beside `data` (same filesystem) to copy into first, then renamed over the empty
   * `data`: a crash leaves the volume empty or complete, never half-copied. Without it
   * (a mounted volume) the copy is made in place.
   */
  staging?: string;
}

const CHUNK = 1 << 20;

/**
 * Docker's copy-up: an empty volume mounted over a directory of the image receives that
 * directory's content, owners, modes, times and extended attributes (and the directory's own
 * owner and mode). The image side is read fd-relative beneath the rootfs, so nothing in it (a
 * symlink, a swapped component) leads the copy outside. Returns false when there was nothing to
 * do: the volume is not empty, or the image has no directory there.
 */
export async function copyUp(o: CopyUpOptions): Promise<boolean> {
  const rel = o.path.split('/').filter((s) => s !== '' && s !== '.').join('/');
  if (rel.split('/').includes('..')) return false;
  if ((await readdir(o.data)).length > 0) return false;
  const src = ScopedDir.open(o.rootfs);
  try {
    let st: ScopedStat | undefined;
    try {
      st = src.lstat(rel);
    } catch (e) {
      if (['ELOOP', 'ENOTDIR', 'ENOENT'].includes(errnoCode(e) ?? '')) return false;
      throw e;
    }
    if (!st || fileType(st.mode) !== S_IFDIR) return false;
    const target = o.staging ?? o.data;
    if (o.staging) {
      await rm(o.staging, { recursive: true, force: true });
      await mkdir(o.staging, { mode: 0o700 });
    }
    const dst = ScopedDir.open(target, { writer: true });
    try {
      await copyTree(src, rel, dst);
    } finally {
      dst.close();
    }
    await chown(target, st.uid, st.gid);
    await chmod(target, st.mode & 0o7777);
    await utimes(target, st.mtimeSec, st.mtimeSec + st.mtimeNsec / 1e9);
    if (o.staging) await rename(o.staging, o.data);
    return true;
  } finally {
    src.close();
  }
}

/** Copy what is beneath `from` in `src` to the root of `dst`, depth first, directories' times set last. */
async function copyTree(src: ScopedDir, from: string, dst: ScopedDir): Promise<void> {
  const links = new Map<number, string>();
  const dirs: Array<[string, ScopedStat]> = [];
  const buf = Buffer.allocUnsafe(CHUNK);
  let entries = 0;
  const stack: Array<[string, string]> = [[from, '']];
  while (stack.length) {
    const [sdir, ddir] = stack.pop()!;
    for (const name of src.readdir(sdir)) {
      if (++entries % 256 === 0) await new Promise((r) => setImmediate(r));
      const s = sdir ? `${sdir}/${name}` : name;
      const d = ddir ? `${ddir}/${name}` : name;
      const st = src.lstat(s);
      if (!st) continue;
      const owner = { uid: st.uid, gid: st.gid };
      const mtime = st.mtimeSec + st.mtimeNsec / 1e9;
      switch (fileType(st.mode)) {
        case S_IFDIR:
          dst.mkdir(d, { mode: st.mode & 0o7777, ...owner });
          copyXattrs(src, s, (k, v) => dst.setxattr(d, k, v));
          dirs.push([d, st]);
          stack.push([s, d]);
          break;
        case S_IFREG: {
          const first = st.nlink > 1 ? links.get(st.ino) : undefined;
          if (first !== undefined) { dst.link(first, d); break; }
          if (st.nlink > 1) links.set(st.ino, d);
          await copyFile(src, s, dst, d, st, buf);
          break;
        }
        case S_IFLNK:
          dst.symlink(d, src.readlink(s), { ...owner, mtime });
          break;
        case S_IFCHR: case S_IFBLK: case S_IFIFO: {
          const type = fileType(st.mode) === S_IFCHR ? 'char' : fileType(st.mode) === S_IFBLK ? 'block' : 'fifo';
          dst.mknod(d, { type, mode: st.mode & 0o7777, major: Math.floor(st.rdev / 256) & 0xfff, minor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00), ...owner, mtime });
          break;
        }
        default: // sockets are not copied (as Docker's copy skips them)
      }
    }
  }
  for (const [d, st] of dirs.reverse()) dst.utimes(d, st.mtimeSec + st.mtimeNsec / 1e9, { onlyDir: true });
}

async function copyFile(src: ScopedDir, s: string, dst: ScopedDir, d: string, st: ScopedStat, buf: Buffer): Promise<void> {
  const input = src.openRead(s);
  let output: number | undefined;
  try {
    output = dst.create(d);
    if (output === undefined) return;
    let copied = 0;
    for (;;) {
      const n = readSync(input, buf, 0, buf.length, null);
      if (n === 0) break;
      let off = 0;
      while (off < n) off += writeSync(output, buf, off, n - off);
      copied += n;
      if (copied % (64 * CHUNK) === 0) await new Promise((r) => setImmediate(r));
    }
    fchownSync(output, st.uid, st.gid);
    fchmodSync(output, st.mode & 0o7777);
    const out = output;
    copyXattrs(src, s, (k, v) => fsetxattr(out, k, v));
    const mtime = st.mtimeSec + st.mtimeNsec / 1e9;
    futimesSync(output, mtime, mtime);
  } finally {
    closeSync(input);
    if (output !== undefined) closeSync(output);
  }
}

/** Extended attributes but overlayfs' own (trusted.overlay.*), which belong to the layer, not the file. */
function copyXattrs(src: ScopedDir, rel: string, set: (name: string, value: Buffer) => void): void {
  for (const [k, v] of src.xattrs(rel)) {
    if (k.startsWith('trusted.overlay.')) continue;
    try {
      set(k, v);
    } catch (e) {
      if (!['ENOTSUP', 'EOPNOTSUPP', 'EPERM'].includes(errnoCode(e) ?? '')) throw e;
    }
  }
}
