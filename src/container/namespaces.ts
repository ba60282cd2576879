import { mkdir } from 'node:fs/promises';
import { join as joinPath } from 'node:path';
import { ConflictError, InvalidArgumentError } from '../base/index.js';
import { isMountPoint, mountShmTmpfs, unmount } from '../host/index.js';
import type { SharedNamespace } from '../runtime/index.js';
import type { ContainerRecord } from './config.js';
import type { ContainerCore } from './core.js';
import type { SpecRequest } from './ports.js';

/**
 * --pid, --ipc, --uts and --cgroupns as dockerd accepts them (its runconfig checks, in its
 * words); a hostname with the host's UTS namespace is a conflict.
 */
export function validateNamespaceModes(h: { IpcMode?: unknown; PidMode?: unknown; UTSMode?: unknown; CgroupnsMode?: unknown }, opts: { hostname?: string } = {}): void {
  const ipc = String(h.IpcMode ?? '');
  const pid = String(h.PidMode ?? '');
  const uts = String(h.UTSMode ?? '');
  const cgroupns = String(h.CgroupnsMode ?? '');
  const joins = (mode: string): boolean => mode.startsWith('container:') && mode.length > 'container:'.length;
  if (!['', 'none', 'private', 'shareable', 'host'].includes(ipc) && !joins(ipc)) throw new InvalidArgumentError(`invalid IPC mode: ${ipc}`);
  if (!['', 'host'].includes(pid) && !joins(pid)) throw new InvalidArgumentError(`invalid PID mode: ${pid}`);
  if (!['', 'host'].includes(uts)) throw new InvalidArgumentError(`invalid UTS mode: ${uts}`);
  if (!['', 'host', 'private'].includes(cgroupns)) throw new InvalidArgumentError(`invalid cgroup namespace mode: ${cgroupns}`);
  if (uts === 'host' && opts.hostname) throw new InvalidArgumentError('conflicting options: hostname and the UTS mode');
}

/**
 * The namespaces a container's start shares, from its modes: another container's are found by
 * its init's pid (it must run; an IPC donor must be "shareable", as dockerd requires). A
 * shareable container's /dev/shm is a tmpfs on the host (mounts cannot be bound in from another
 * mount namespace), which its IPC guests bind too; --ipc host binds the host's.
 */
export async function namespaceSharing(core: ContainerCore, rec: ContainerRecord): Promise<{ sharing: NonNullable<SpecRequest['sharing']>; shm?: SpecRequest['shm'] }> {
  const h = rec.hostConfig;
  const sharing: NonNullable<SpecRequest['sharing']> = {};
  let shm: SpecRequest['shm'];
  const pid = String(h.PidMode ?? '');
  if (pid === 'host') sharing.pid = 'host';
  else if (pid.startsWith('container:')) sharing.pid = join(core, pid.slice('container:'.length), 'pid');
  const ipc = String(h.IpcMode ?? '');
  if (ipc === 'host') {
    sharing.ipc = 'host';
    shm = { source: '/dev/shm' };
  } else if (ipc === 'none') {
    shm = 'none';
  } else if (ipc === 'shareable') {
    const path = shmPath(core, rec);
    await mkdir(path, { recursive: true, mode: 0o700 });
    if (!(await isMountPoint(path))) await mountShmTmpfs(path, h.ShmSize || DEFAULT_SHM_SIZE);
    shm = { source: path };
  } else if (ipc.startsWith('container:')) {
    const donor = core.d.store.get(ipc.slice('container:'.length));
    const path = shmPath(core, donor);
    sharing.ipc = join(core, donor.id, 'ipc');
    if (String(donor.hostConfig.IpcMode ?? '') !== 'shareable' || !(await isMountPoint(path))) {
      throw new InvalidArgumentError(`container ${donor.id}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
    }
    shm = { source: path };
  }
  if (String(h.UTSMode ?? '') === 'host') sharing.uts = 'host';
  if (String(h.CgroupnsMode ?? '') === 'private') sharing.cgroup = 'private';
  return { sharing, ...(shm ? { shm } : {}) };
}

const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

function shmPath(core: ContainerCore, rec: Pick<ContainerRecord, 'id'>): string {
  return joinPath(core.d.store.dir(rec.id), 'shm');
}

/** Unmount a shareable container's /dev/shm once it stops (its guests keep their own binds). */
export async function releaseShm(core: ContainerCore, rec: ContainerRecord): Promise<void> {
  if (String(rec.hostConfig.IpcMode ?? '') !== 'shareable') return;
  await unmount(shmPath(core, rec), { lazy: true });
}

function join(core: ContainerCore, ref: string, type: 'pid' | 'ipc'): SharedNamespace {
  const target = core.d.store.get(ref);
  if (target.state.status === 'restarting') throw new ConflictError(`Container ${target.id} is restarting, wait until the container is running`);
  if (target.state.status !== 'running' && target.state.status !== 'paused') {
    throw new ConflictError(`cannot join ${type.toUpperCase()} of a non running container: ${target.id}`);
  }
  return { path: `/proc/${target.state.pid}/ns/${type}` };
}
