import type { ContainerRecord } from './config.js';
import type { ContainerCore } from './core.js';

/** Operations using a stopped container's rootfs now, and the unmount the last one started. */
interface Users { n: number; idle: Promise<void> }
const usersOf = new WeakMap<ContainerCore, Map<string, Users>>();

/**
 * The container's rootfs mounted for one operation (export, cp): a running container's as it
 * is; a stopped one's mounted now and unmounted when the last operation using it releases it,
 * unless the container started meanwhile. Counted, so that one cp's unmount never pulls the
 * rootfs from under the next (a release schedules the unmount, which runs later).
 */
export async function useRootfs(core: ContainerCore, rec: ContainerRecord): Promise<{ root: string; release(): void }> {
  const { d } = core;
  const isRunning = (): boolean => rec.state.status === 'running' || rec.state.status === 'paused';
  if (isRunning()) return { root: await d.rootfs.mount({ id: rec.id, imageId: rec.imageId }), release() {} };
  let byId = usersOf.get(core);
  if (!byId) usersOf.set(core, (byId = new Map()));
  let users = byId.get(rec.id);
  if (!users) byId.set(rec.id, (users = { n: 0, idle: Promise.resolve() }));
  const u = users;
  u.n++;
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    if (--u.n > 0) return;
    u.idle = core.mutex.run(rec.id, async () => {
      if (u.n === 0 && !isRunning()) await d.rootfs.unmount(rec.id).catch(() => {});
      if (u.n === 0) byId!.delete(rec.id);
    }).catch(() => {});
  };
  try {
    // An unmount the previous user started finishes before this one mounts.
    await u.idle;
    return { root: await d.rootfs.mount({ id: rec.id, imageId: rec.imageId }), release };
  } catch (e) {
    release();
    throw e;
  }
}
