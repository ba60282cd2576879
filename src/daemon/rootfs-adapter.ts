import { lstat, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RootfsProvider } from '../container/index.js';
import { mountOverlay, unmount } from '../host/index.js';
import { tarTree } from '../image/archive/index.js';

export interface LayerSource {
  rootfsFor(imageId: string): { lowerDirs: string[] };
}

/**
 * A container's rootfs: overlay of the image's layer dirs with the container's own
 * upper/work dirs, mounted at containers/<id>/merged while it runs.
 */
export function overlayRootfs(opts: { containersRoot: string; images: LayerSource }): RootfsProvider {
  const dir = (id: string): string => join(opts.containersRoot, id);
  const merged = (id: string): string => join(dir(id), 'merged');
  return {
    async create({ id }) {
      await Promise.all(['upper', 'work', 'merged'].map((d) => mkdir(join(dir(id), d), { recursive: true })));
    },
    async mount({ id, imageId }) {
      const target = merged(id);
      if (await isMounted(target)) return target;
      const { lowerDirs } = opts.images.rootfsFor(imageId);
      await mkdir(target, { recursive: true });
      await mountOverlay({ lowerDirs, upperDir: join(dir(id), 'upper'), workDir: join(dir(id), 'work'), target });
      return target;
    },
    async unmount(id) {
      const target = merged(id);
      if (await isMounted(target)) await unmount(target);
    },
    async remove(id) {
      const target = merged(id);
      if (await isMounted(target)) await unmount(target, { lazy: true });
      await rm(dir(id), { recursive: true, force: true });
    },
    sizeRw: (id) => treeSize(join(dir(id), 'upper')),
    exportTar: (root) => tarTree({ root }),
  };
}

async function isMounted(path: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  return mounts.includes(` ${path} `);
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
