import { chmod, chown, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { errnoCode } from '../base/index.js';
import { fileType, S_IFDIR, ScopedDir, type ScopedStat } from '../host/index.js';

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

/**
 * Docker's copy-up: an empty volume mounted over a directory of the image receives that
 * directory's content, owners, modes, times and extended attributes (and the directory's own
 * owner, mode and times). The copy is one addon call on the thread pool (ScopedDir.copyTo),
 * fd-relative beneath the rootfs and the volume, so nothing in either (a symlink, a swapped
 * component) leads it outside. Returns false when there was nothing to do: the volume is not
 * empty, or the image has no directory there.
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
    const dst = ScopedDir.open(target);
    try {
      await src.copyTo(rel, dst);
    } finally {
      dst.close();
    }
    await chown(target, st.uid, st.gid);
    await chmod(target, st.mode & 0o7777);
    if (o.staging) await rename(o.staging, o.data);
    return true;
  } finally {
    src.close();
  }
}
