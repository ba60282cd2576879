import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { ConflictError, errnoCode, InvalidArgumentError, NotFoundError } from '../base/index.js';
import type { ContainerRecord } from './config.js';
import type { ContainerCore } from './core.js';

/** Docker's RestrictedNameChars for checkpoint IDs. */
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export interface CheckpointOptions {
  /** A custom store (Docker's --checkpoint-dir): the checkpoints of this container are in <dir>/<container id>. */
  dir?: string;
}

function storeOf(core: ContainerCore, rec: ContainerRecord, opts: CheckpointOptions): string {
  if (opts.dir) {
    if (!isAbsolute(opts.dir)) throw new InvalidArgumentError(`checkpoint dir "${opts.dir}" must be an absolute path`);
    return join(opts.dir, rec.id);
  }
  return join(core.d.store.paths(rec.id).dir, 'checkpoints');
}

/** Docker's getCheckpointDir: a checkpoint's directory, made (create) or required to exist. */
async function checkpointDir(core: ContainerCore, rec: ContainerRecord, name: string, opts: CheckpointOptions & { create: boolean }): Promise<string> {
  if (!NAME_RE.test(name)) throw new InvalidArgumentError(`Invalid checkpoint ID (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  const dir = join(storeOf(core, rec, opts), name);
  const st = await stat(dir).catch((e: unknown) => { if (errnoCode(e) === 'ENOENT') return undefined; throw e; });
  if (opts.create) {
    if (st) throw new ConflictError(`checkpoint with name ${name} already exists for container ${rec.name}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } else {
    if (!st) throw new NotFoundError(`checkpoint ${name} does not exist for container ${rec.name}`);
    if (!st.isDirectory()) throw new InvalidArgumentError(`${dir} exists and is not a directory`);
  }
  return dir;
}

/** The directory start?checkpoint= restores from. */
export function restorePoint(core: ContainerCore, rec: ContainerRecord, name: string, opts: CheckpointOptions): Promise<string> {
  return checkpointDir(core, rec, name, { ...opts, create: false });
}

/**
 * `docker checkpoint create`: criu dumps the running container's processes into a checkpoint;
 * with `exit` (Docker's default) they end, and `start --checkpoint` brings them back.
 */
export async function createCheckpoint(core: ContainerCore, ref: string, opts: CheckpointOptions & { name: string; exit: boolean }): Promise<void> {
  const rec = core.d.store.get(ref);
  if (rec.state.status !== 'running') throw new ConflictError(`Container ${ref} not running`);
  const dir = await checkpointDir(core, rec, opts.name, { ...opts, create: true });
  try {
    await core.d.runtime.checkpoint(rec.id, { imagePath: dir, leaveRunning: !opts.exit });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    const msg = e instanceof Error ? e.message : String(e);
    if (/unknown command checkpoint/.test(msg)) {
      throw new InvalidArgumentError(`Cannot checkpoint container ${ref}: its runtime ${rec.runtime || core.d.runtime.name} has no checkpoint support (built without CRIU); create the container with --runtime runc`);
    }
    throw new InvalidArgumentError(`Cannot checkpoint container ${ref}: ${msg}`);
  }
  core.event(rec, 'checkpoint');
}

/** `docker checkpoint ls`: the names of the container's checkpoints. */
export async function listCheckpoints(core: ContainerCore, ref: string, opts: CheckpointOptions): Promise<string[]> {
  const rec = core.d.store.get(ref);
  const store = storeOf(core, rec, opts);
  await mkdir(store, { recursive: true, mode: 0o700 });
  const entries = await readdir(store, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

/** `docker checkpoint rm`. */
export async function removeCheckpoint(core: ContainerCore, ref: string, name: string, opts: CheckpointOptions): Promise<void> {
  const rec = core.d.store.get(ref);
  const dir = await checkpointDir(core, rec, name, { ...opts, create: false });
  await rm(dir, { recursive: true, force: true });
}
