import type { ContainerRecord } from './config.js';
import type { ContainerCore } from './core.js';

/**
 * The container's rootfs mounted for one operation (export, cp): a running container's as it
 * is; a stopped one's mounted now and unmounted by release() unless it started meanwhile.
 */
export async function useRootfs(core: ContainerCore, rec: ContainerRecord): Promise<{ root: string; release(): void }> {
  const { d } = core;
  const running = rec.state.status === 'running' || rec.state.status === 'paused';
  const root = await d.rootfs.mount({ id: rec.id, imageId: rec.imageId });
  let released = false;
  return {
    root,
    release() {
      if (running || released) return;
      released = true;
      void core.mutex.run(rec.id, async () => {
        if (rec.state.status !== 'running' && rec.state.status !== 'paused') await d.rootfs.unmount(rec.id).catch(() => {});
      });
    },
  };
}
