import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RootfsProvider } from '../container/index.js';
import { isMountPoint, mountPointsUnder, unmount } from '../host/index.js';
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

async function treeSize(root: string): Promise<number> {
  let total = 0;
  const walk = async (p: string): Promise<void> => {
    const st = await lstat(p).catch(() => undefined);
    if (!st) return;
    if (st.isDirectory()) {
      for (const name of await readdir(p)) await walk(join(p, name));
    } else if (st.isFile()) total += st.size;
  };
  await walk(root);
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
