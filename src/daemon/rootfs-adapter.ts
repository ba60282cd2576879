import { errnoCode } from '../base/index.js';
import { join } from 'node:path';
import type { RootfsProvider } from '../container/index.js';
import { fileType, isMountPoint, mountPointsUnder, S_IFDIR, ScopedDir, unmount } from '../host/index.js';
import { tarTree } from '../image/archive/index.js';
import type { ContainerLayer, Snapshotter } from '../snapshot/index.js';

/**
 * A container's rootfs from the snapshotter: its layers held for it from create to remove,
 * mounted at containers/<id>/merged while it runs.
 */
export function snapshotRootfs(opts: { containersRoot: string; snapshotter: Snapshotter }): RootfsProvider {
  const s = opts.snapshotter;
  const layers = new Map<string, ContainerLayer>();
  const merged = (id: string): string => join(opts.containersRoot, id, 'merged');
  const prepare = async (id: string, imageId: string): Promise<ContainerLayer> => {
    let l = layers.get(id);
    if (!l) {
      l = await s.prepareContainer({ id, imageId });
      layers.set(id, l);
    }
    return l;
  };
  return {
    async create({ id, imageId }) {
      await prepare(id, imageId);
    },
    async mount({ id, imageId }) {
      const target = merged(id);
      if (await isMountPoint(target)) return target;
      const l = await prepare(id, imageId);
      await s.mountRootfs({ lowerDirs: l.lowerDirs, upper: l.upper, work: l.work, target });
      return target;
    },
    // The snapshotter's unmount is a no-op where nothing is mounted: no need to read the mount table first.
    unmount: (id) => s.unmount(merged(id)),
    async remove(id) {
      await s.unmount(merged(id), { lazy: true });
      await s.removeContainer(id);
      layers.delete(id);
    },
    sizeRw: (id) => treeSize(join(opts.containersRoot, id, 'upper')),
    exportTar: (root) => tarTree({ root }),
  };
}

/**
 * The bytes a container's upper directory holds, counted as Docker's directory.Size (every
 * non-directory once per inode). Walked fd-relative through ScopedDir: the upper directory of a
 * running container is live, and one that swaps a directory for a symlink makes the walk skip
 * it, never walk the host's tree. Yields to the event loop every few hundred entries.
 */
export async function treeSize(root: string): Promise<number> {
  let dir: ScopedDir;
  try {
    dir = ScopedDir.open(root);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return 0;
    throw e;
  }
  const seen = new Set<number>();
  let total = 0;
  let steps = 0;
  const walk = async (rel: string): Promise<void> => {
    let names: string[];
    try {
      names = dir.readdir(rel);
    } catch {
      return; // gone, or swapped for a symlink since it was listed
    }
    for (const name of names) {
      if (++steps % 512 === 0) await new Promise((r) => setImmediate(r));
      const child = rel ? `${rel}/${name}` : name;
      let st;
      try {
        st = dir.lstat(child);
      } catch {
        continue;
      }
      if (!st) continue;
      if (fileType(st.mode) === S_IFDIR) await walk(child);
      else if (st.size > 0 && !seen.has(st.ino)) {
        seen.add(st.ino);
        total += st.size;
      }
    }
  };
  try {
    await walk('');
  } finally {
    dir.close();
  }
  return total;
}

/**
 * Unmount what is mounted under containers/<id>/ for every container not in `keep` (the ones that
 * run): a crash between a rootfs mount and the container's start, or during a removal, leaves the
 * mount behind. Only paths under berth's own containers directory are looked at.
 */
export async function reclaimRootfsMounts(opts: { containersRoot: string; keep: ReadonlySet<string>; onUnmount?: (path: string) => void }): Promise<void> {
  for (const point of await mountPointsUnder(opts.containersRoot)) {
    const id = point.slice(opts.containersRoot.length + 1).split('/')[0]!;
    if (opts.keep.has(id)) continue;
    opts.onUnmount?.(point);
    await unmount(point, { lazy: true });
  }
}
