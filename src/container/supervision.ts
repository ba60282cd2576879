import { ZERO_TIME, hasProcess, type ContainerRecord } from './config.js';
import type { ContainerCore } from './core.js';
import { adoptMounts } from './mount-points.js';
import { startLocked } from './lifecycle.js';
import { removeLocked } from './removal.js';
import { nextRestartDelay, shouldRestart } from './restart-policy.js';

/** Exit code dockerd records when it cannot know the real one. */
const EXIT_UNKNOWN = 255;

export interface RecoverOptions {
  sweep?: (containers: { running: ReadonlySet<string>; known: ReadonlySet<string> }) => Promise<void>;
  restart?: boolean;
}

/**
 * Follow conmon's exit files; recover what happened while the daemon was away. Every record is
 * reconciled with the runtime's and conmon's state, whatever it says: a crash can land between
 * the runtime's start and the record's "running", or between the rootfs mount, the network
 * attach and the runtime's create. Containers that do not run lose their runtime state, rootfs
 * mount and endpoint; auto-remove ones that do not run are removed, as dockerd does at restore.
 * `sweep` runs once the records are settled and before restart policies start anything: it is
 * told which containers run and which exist, to reclaim what belongs to none of them.
 * `restart: false` starts nothing by restart policy (a daemon that only cleans up).
 */
export async function recover(core: ContainerCore, opts: RecoverOptions = {}): Promise<void> {
  const { d } = core;
  core.stopWatching = d.runtime.watchExits((id) => void onExit(core, id));
  const toStart: ContainerRecord[] = [];
  await Promise.all(d.store.all().map(async (rec) => {
    try {
      if (await reconcile(core, rec)) toStart.push(rec);
      if (hasProcess(rec.state)) adoptMounts(core, rec);
    } catch (e) {
      d.log.warn('cannot recover container', { id: rec.id, error: String(e) });
    }
  }));
  // What follows a running container's process (health checks) picks up where it was.
  for (const rec of d.store.all()) if (rec.state.status === 'running') for (const f of core.started) f(rec);
  if (opts.sweep) {
    const all = d.store.all();
    await opts.sweep({ running: new Set(all.filter((r) => hasProcess(r.state)).map((r) => r.id)), known: new Set(all.map((r) => r.id)) })
      .catch((e: unknown) => d.log.warn('start-up sweep failed', { error: String(e) }));
  }
  for (const rec of opts.restart === false ? [] : toStart) {
    void core.mutex.run(rec.id, () => startLocked(core, rec)).catch((e) => d.log.warn('restart at daemon start failed', { id: rec.id, error: String(e) }));
  }
}

/** Bring one record in line with the runtime at daemon start; true when its restart policy starts it again. */
async function reconcile(core: ContainerCore, rec: ContainerRecord): Promise<boolean> {
  const { d } = core;
  if (rec.state.status === 'removing') {
    await removeLocked(core, rec, { wait: true }).catch((e) => d.log.warn('cannot finish removal', { id: rec.id, error: String(e) }));
    return false;
  }
  const rt = (await d.runtime.isAlive(rec.id)) ? await d.runtime.state(rec.id) : undefined;
  if (rt && (rt.status === 'running' || rt.status === 'paused')) {
    if (rec.state.status === rt.status && rec.state.pid === rt.pid) return false;
    // The process was started but the record's "running" never landed.
    d.log.info('container runs although its record said otherwise', { id: rec.id, record: rec.state.status, runtime: rt.status });
    rec.state = {
      status: rt.status, pid: rt.pid, exitCode: 0, error: '', oomKilled: false,
      startedAt: (rt.startedAt ?? new Date()).toISOString(), finishedAt: rec.state.finishedAt,
    };
    await d.store.save(rec);
    // An exit between the runtime's answer and the save found a record without a process and
    // was ignored: then it is handled below like any exit the daemon missed.
    if (!(await d.runtime.exitStatus(rec.id))) return false;
  }
  if (hasProcess(rec.state)) {
    await onExit(core, rec.id, { daemonStarting: true });
  } else {
    const exit = await d.runtime.exitStatus(rec.id);
    if (exit && rec.state.status === 'created') {
      // It ran and exited, and the record never learnt it was started.
      const finishedAt = exit.finishedAt.toISOString();
      rec.state = {
        ...rec.state, status: 'exited', pid: 0, exitCode: exit.exitCode,
        startedAt: rt?.startedAt?.toISOString() ?? finishedAt, finishedAt,
      };
      core.waiters.exited(rec.id, exit.exitCode);
    }
    // A start the crash cut short: its runtime state, rootfs mount and endpoint go.
    await core.cleanupRuntime(rec);
    if (exit) await d.store.save(rec);
  }
  if (rec.hostConfig.AutoRemove) {
    await core.mutex.run(rec.id, () => removeLocked(core, rec, { wait: true })).catch((e) => d.log.warn('auto-remove after restart failed', { id: rec.id, error: String(e) }));
    return false;
  }
  return (rec.state.status === 'restarting' || rec.restartCount > 0 || rec.state.startedAt !== ZERO_TIME) && shouldRestart(rec, { exitCode: rec.state.exitCode, daemonStarting: true });
}

/** A container's process exited: record it, tell waiters, then remove, restart or leave it stopped. */
export async function onExit(core: ContainerCore, id: string, opts: { daemonStarting?: boolean } = {}): Promise<void> {
  const { d } = core;
  const rec = d.store.find(id);
  if (!rec) return;
  await core.mutex.run(id, async () => {
    if (!hasProcess(rec.state)) return;
    const status = await d.runtime.exitStatus(id);
    const ranFor = Date.now() - Date.parse(rec.state.startedAt);
    rec.state = {
      ...rec.state, status: 'exited', pid: 0,
      exitCode: status?.exitCode ?? EXIT_UNKNOWN, oomKilled: status?.oomKilled ?? false,
      finishedAt: (status?.finishedAt ?? new Date()).toISOString(),
    };
    const live = !opts.daemonStarting;
    const restart = live && !core.shuttingDown && shouldRestart(rec, { exitCode: rec.state.exitCode });
    if (restart) rec.state.status = 'restarting';
    // Waiters learn of the exit at once, its published ports free again (a stop or `run --rm`
    // followed by a run on the same port must find it free); the rest of the teardown may follow.
    await d.network.releasePorts(id).catch((e: unknown) => d.log.warn('cannot release published ports', { id, error: String(e) }));
    core.waiters.exited(id, rec.state.exitCode);
    for (const f of core.ended) f(rec);
    if (rec.state.oomKilled) core.event(rec, 'oom');
    core.event(rec, 'die', { exitCode: String(rec.state.exitCode), execDuration: String(Math.max(0, Math.floor(ranFor / 1000))) });
    if (live && rec.hostConfig.AutoRemove) {
      await removeLocked(core, rec, { exited: true });
      return;
    }
    await core.cleanupRuntime(rec);
    await d.store.save(rec);
    if (restart) scheduleRestart(core, rec, ranFor);
  });
}

function scheduleRestart(core: ContainerCore, rec: ContainerRecord, ranForMs: number): void {
  const delay = nextRestartDelay(core.restartDelay.get(rec.id) ?? 0, ranForMs);
  core.restartDelay.set(rec.id, delay);
  const timer = setTimeout(() => {
    core.restartTimers.delete(rec.id);
    void core.mutex.run(rec.id, async () => {
      if (rec.state.status !== 'restarting') return;
      rec.restartCount++;
      await startLocked(core, rec);
    }).catch((e) => core.d.log.warn('restart failed', { id: rec.id, error: String(e) }));
  }, delay);
  timer.unref();
  core.restartTimers.set(rec.id, { timer, delay });
}

/** Stop following exits; containers keep running under conmon. */
export function shutdown(core: ContainerCore): void {
  core.shuttingDown = true;
  core.stopWatching?.();
  for (const t of core.restartTimers.values()) clearTimeout(t.timer);
}
