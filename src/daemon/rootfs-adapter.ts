import type { RootfsProvider } from '../container/index.js';
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
