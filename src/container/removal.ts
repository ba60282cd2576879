import { ConflictError } from '../base/index.js';
import { hasProcess, isUp, type ContainerRecord } from './config.js';
import type { ContainerCore } from './core.js';
import { anonymousVolumes, removeVolumes } from './mount-points.js';

export async function removeContainer(core: ContainerCore, ref: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
  const { d } = core;
  const rec = d.store.get(ref);
  if (rec.state.status === 'removing') throw new ConflictError(`removal of container ${ref} is already in progress`);
  if (isUp(rec.state) && !opts.force) {
    throw new ConflictError(`cannot remove container "/${rec.name}": container is ${rec.state.status}: stop the container before removing or force remove`);
  }
  // As in stop(): a restart in flight finishes before we look, and none is scheduled after.
  const running = await core.mutex.run(rec.id, async () => {
    core.cancelRestart(rec.id);
    if (!hasProcess(rec.state)) return undefined;
    rec.manuallyStopped = true;
    return { exited: core.waiters.add(rec.id, 'not-running') };
  });
  if (running) {
    core.killEvent(rec, 'SIGKILL');
    await d.runtime.kill(rec.id, 'SIGKILL').catch(() => {});
    await running.exited;
  }
  await core.mutex.run(rec.id, () => removeLocked(core, rec, { volumes: Boolean(opts.volumes) }));
}

/**
 * Remove a stopped container whose lock the caller holds. `exited`: called from the exit of an
 * auto-remove container, whose exited state was never saved. The container leaves the index (and
 * waiters learn it is gone) as soon as a crash could no longer bring it back half-removed: its
 * record on disk then says "removing", or is an auto-remove container whose process is gone, and
 * recover() finishes either. Runtime, rootfs and record are torn down after that, in the
 * background unless `wait`; settled() waits for those still running.
 */
export async function removeLocked(core: ContainerCore, rec: ContainerRecord, opts: { exited?: boolean; wait?: boolean; volumes?: boolean } = {}): Promise<void> {
  const { d } = core;
  if (!d.store.find(rec.id)) return;
  if (!opts.exited) {
    rec.state.status = 'removing';
    await d.store.save(rec);
  }
  d.store.forget(rec);
  core.restartDelay.delete(rec.id);
  core.waiters.removed(rec.id, rec.state.exitCode);
  core.event(rec, 'destroy');
  const teardown = (async () => {
    await core.cleanupRuntime(rec, { networkInBackground: true });
    await d.rootfs.remove(rec.id);
    await d.store.delete(rec);
    // rm -v, and the end of a run --rm, take the anonymous volumes no other container uses.
    if (opts.volumes || rec.hostConfig.AutoRemove) await removeVolumes(core, anonymousVolumes(rec));
  })();
  core.teardowns.add(teardown);
  void teardown.finally(() => core.teardowns.delete(teardown)).catch((e: unknown) => {
    d.log.warn('removal left files behind; the next daemon start finishes it', { id: rec.id, error: String(e) });
  });
  if (opts.wait) await teardown;
}

/** Resolves once every removal's teardown has finished (rmi and prune count on freed layers). */
export async function settled(core: ContainerCore): Promise<void> {
  while (core.teardowns.size) await Promise.allSettled([...core.teardowns]);
}
