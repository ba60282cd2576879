import type { Readable } from 'node:stream';
import { ConflictError } from '../base/index.js';
import { isUp, type ContainerRecord } from './config.js';
import type { ContainerCore, PendingAttach } from './core.js';
import type { AttachStreams, LogEntry } from './ports.js';
import { useRootfs } from './rootfs-use.js';

export interface LogOptions { follow: boolean; since?: Date; until?: Date; tail?: number; stdout: boolean; stderr: boolean; signal?: AbortSignal }

export function containerLogs(core: ContainerCore, ref: string, opts: LogOptions): AsyncIterable<LogEntry> {
  const rec = core.d.store.get(ref);
  const running = isUp(rec.state);
  const stopWhen = opts.follow && running ? core.waiters.add(rec.id, 'not-running', opts.signal).then(() => {}, () => {}) : Promise.resolve();
  return core.d.logs.read(core.logPath(rec), { ...opts, follow: opts.follow && running, stopWhen });
}

/**
 * Streams of a running container now, or of a stopped one at its next start (so that
 * `docker run` sees output from the first byte).
 */
export async function attachContainer(core: ContainerCore, ref: string, opts: { stdin: boolean; signal?: AbortSignal }): Promise<{ rec: ContainerRecord; streams: AttachStreams }> {
  const rec = core.d.store.get(ref);
  if (rec.state.status === 'running') {
    const streams = await core.d.runtime.attach(rec.id, opts);
    core.event(rec, 'attach');
    return { rec, streams };
  }
  if (rec.state.status === 'paused' || rec.state.status === 'removing' || rec.state.status === 'dead') {
    throw new ConflictError(`You cannot attach to a ${rec.state.status} container, start it first`);
  }
  core.event(rec, 'attach');
  const streams = await new Promise<AttachStreams>((resolve, reject) => {
    const list = core.pendingAttach.get(rec.id) ?? [];
    const entry: PendingAttach = { stdin: opts.stdin, resolve, reject };
    list.push(entry);
    core.pendingAttach.set(rec.id, list);
    opts.signal?.addEventListener('abort', () => {
      const l = core.pendingAttach.get(rec.id);
      if (l) l.splice(l.indexOf(entry), 1);
      reject(opts.signal!.reason);
    }, { once: true });
  });
  return { rec, streams };
}

/** Hand the attach requests that waited for this start their streams (after `runc create`, before `runc start`). */
export async function servePendingAttach(core: ContainerCore, id: string): Promise<void> {
  const list = core.pendingAttach.get(id);
  if (!list) return;
  core.pendingAttach.delete(id);
  await Promise.all(list.map(async (p) => {
    try {
      p.resolve(await core.d.runtime.attach(id, { stdin: p.stdin }));
    } catch (e) {
      p.reject(e);
    }
  }));
}

export async function resizeContainer(core: ContainerCore, ref: string, size: { height: number; width: number }): Promise<void> {
  const rec = core.d.store.get(ref);
  if (rec.state.status !== 'running') throw new ConflictError(`Container ${rec.id} is not running`);
  await core.d.runtime.resize(rec.id, size);
  core.event(rec, 'resize', { height: String(size.height), width: String(size.width) });
}

export async function exportContainer(core: ContainerCore, ref: string): Promise<Readable> {
  const rec = core.d.store.get(ref);
  const use = await useRootfs(core, rec);
  const tar = core.d.rootfs.exportTar(use.root);
  core.event(rec, 'export');
  tar.once('close', () => use.release());
  return tar;
}
