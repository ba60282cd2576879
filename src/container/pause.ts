import { ConflictError } from '../base/index.js';
import type { ContainerRecord } from './config.js';
import type { ContainerCore } from './core.js';

/** docker pause: freeze every process of a running container (the freezer cgroup, v1 or v2). */
export async function pauseContainer(core: ContainerCore, ref: string): Promise<void> {
  const rec = core.d.store.get(ref);
  await core.mutex.run(rec.id, async () => {
    if (rec.state.status === 'paused') throw new ConflictError(`cannot pause container ${rec.id}: container is already paused`);
    if (rec.state.status === 'restarting') throw new ConflictError(`Container ${rec.id} is restarting, wait until the container is running`);
    if (rec.state.status !== 'running') throw new ConflictError(`Container ${rec.id} is not running`);
    await core.d.runtime.pause(rec.id);
    rec.state.status = 'paused';
    await core.d.store.save(rec);
    core.event(rec, 'pause');
  });
}

/** docker unpause: thaw a paused container. */
export async function unpauseContainer(core: ContainerCore, ref: string): Promise<void> {
  const rec = core.d.store.get(ref);
  await core.mutex.run(rec.id, async () => {
    if (rec.state.status !== 'paused') throw new ConflictError(`Container ${rec.id} is not paused`);
    await core.d.runtime.resume(rec.id);
    rec.state.status = 'running';
    await core.d.store.save(rec);
    core.event(rec, 'unpause');
  });
}

/**
 * A signal sent to a paused container is delivered once it thaws: dockerd resumes it after
 * the kill, and it is running again (until the signal ends it).
 */
export async function thawAfterSignal(core: ContainerCore, rec: ContainerRecord): Promise<void> {
  if (rec.state.status !== 'paused') return;
  try {
    await core.d.runtime.resume(rec.id);
  } catch (e) {
    core.d.log.warn('cannot unpause container', { id: rec.id, error: String(e) });
    return;
  }
  if (rec.state.status === 'paused') {
    rec.state.status = 'running';
    await core.d.store.save(rec).catch(() => {});
  }
}
