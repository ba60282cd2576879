import type { RootfsProvider } from '../container/index.js';
import { mountPointsUnder, unmount } from '../host/index.js';
import { tarTree } from '../image/archive/index.js';
import type { Snapshotter } from '../snapshot/index.js';

/**
 * A container's rootfs from the snapshotter: its layers held for it from create to remove,
 * mounted at containers/<id>/merged while it runs.
 */
export function snapshotRootfs(opts: { snapshotter: Snapshotter }): RootfsProvider {
  const s = opts.snapshotter;
  return {
    async create({ id, imageId }) {
      await s.prepareContainer({ id, imageId });
    },
    mount: (o) => s.mountContainer(o),
    unmount: (id) => s.unmountContainer(id),
    remove: (id) => s.removeContainer(id),
    sizeRw: async (id) => (await s.usage(id)).size,
    changes: (o) => s.changes(o),
    diffTar: (id, o) => s.diff(id, o),
    exportTar: (root) => tarTree({ root }),
  };
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
