import { ConflictError } from '../base/index.js';
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
