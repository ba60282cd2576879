import { ConflictError, InvalidArgumentError, newId } from '../base/index.js';
import { startFailureExitCode } from '../runtime/index.js';
import type { ContainerRecord } from './config.js';
import type { ContainerCore } from './core.js';
import type { ExecConfig, ExecRecord } from './exec-store.js';
import type { AttachStreams } from './ports.js';

export type ExecCreateRequest = Partial<ExecConfig> & { cmd: string[] };

/** dockerd refuses an exec into a container without a running process in these words (409). */
export function checkExecutable(rec: ContainerRecord): void {
  if (rec.state.status === 'paused') throw new ConflictError(`Container ${rec.id} is paused, unpause the container before exec`);
  if (rec.state.status === 'restarting') throw new ConflictError(`Container ${rec.id} is restarting, wait until the container is running`);
  if (rec.state.status !== 'running') throw new ConflictError(`Container ${rec.id} is not running`);
}

/** POST /containers/{id}/exec: an exec instance, not started yet. */
export function createExec(core: ContainerCore, ref: string, req: ExecCreateRequest, opts: { probe?: boolean } = {}): string {
  const rec = core.d.store.get(ref);
  checkExecutable(rec);
  if (!req.cmd || req.cmd.length === 0) throw new InvalidArgumentError('No exec command specified');
  const id = newId();
  core.execs.prune((cid) => core.d.store.find(cid) !== undefined);
  const config: ExecConfig = {
    cmd: [...req.cmd], env: [...(req.env ?? [])], user: req.user ?? '', workingDir: req.workingDir ?? '',
    tty: req.tty ?? false, privileged: req.privileged ?? false,
    attachStdin: req.attachStdin ?? false, attachStdout: req.attachStdout ?? false, attachStderr: req.attachStderr ?? false,
    detachKeys: req.detachKeys ?? '', ...(req.consoleSize ? { consoleSize: req.consoleSize } : {}),
  };
  if (config.workingDir && !config.workingDir.startsWith('/')) throw new InvalidArgumentError(`the working directory '${config.workingDir}' is invalid, it needs to be an absolute path`);
  core.execs.add({ id, containerId: rec.id, config, running: false, exitCode: null, pid: 0, started: false, probe: opts.probe ?? false });
  core.event(rec, `exec_create: ${config.cmd.join(' ')}`, { execID: id });
  return id;
}

export interface StartedExec {
  exec: ExecRecord;
  /** The process's stdio when attached; absent for a detached start. */
  streams: AttachStreams | undefined;
  /** Its exit code once it has ended. */
  exited: Promise<number>;
}

/**
 * POST /exec/{id}/start: run the exec's process in its container. A process the runtime cannot
 * start rejects with the runtime's words, the exec then ended with dockerd's 126 (127 when the
 * command is not found).
 */
export async function startExec(core: ContainerCore, ref: string, opts: { attach: boolean; tty?: boolean; consoleSize?: { height: number; width: number } }): Promise<StartedExec> {
  const { d } = core;
  const e = core.execs.get(ref);
  if (e.running) throw new ConflictError(`Error: Exec command ${e.id} is already running`);
  if (e.started) throw new ConflictError(`Error: Exec command ${e.id} has already run`);
  const rec = d.store.get(e.containerId);
  checkExecutable(rec);
  e.started = true;
  e.running = true;
  const cmdLine = e.config.cmd.join(' ');
  core.event(rec, `exec_start: ${cmdLine}`, { execID: e.id });
  const ended = (exitCode: number): number => {
    e.running = false;
    e.exitCode = exitCode;
    delete e.session;
    core.event(rec, 'exec_die', { execID: e.id, exitCode: String(exitCode) });
    if (e.probe) core.execs.delete(e.id);
    return exitCode;
  };
  const tty = e.config.tty || (opts.tty ?? false);
  const consoleSize = opts.consoleSize ?? e.config.consoleSize;
  let session;
  try {
    const user = await execUser(core, rec, e);
    session = await d.runtime.exec(rec.id, {
      execId: e.id, args: e.config.cmd, env: [...rec.config.Env, ...e.config.env], cwd: e.config.workingDir || rec.config.WorkingDir,
      user, tty, privileged: e.config.privileged, stdin: opts.attach && e.config.attachStdin, attach: opts.attach, probe: e.probe,
      ...(tty && consoleSize ? { consoleSize } : {}),
    });
  } catch (err) {
    const code = startFailureExitCode(err instanceof Error ? err.message : String(err));
    ended(code === 128 ? 126 : code);
    throw err;
  }
  e.pid = session.pid;
  e.session = session;
  const exited = session.exited.then(({ exitCode }) => ended(exitCode), () => ended(-1));
  return { exec: e, streams: session.streams, exited };
}

// A probe runs every few seconds as the container's own user: looked up once per run of the container.
const probeUsers = new Map<string, Promise<{ uid: number; gid: number; additionalGids: number[] }>>();

/** The exec's user looked up in the container's (mounted) root, as runc would. */
function execUser(core: ContainerCore, rec: ContainerRecord, e: ExecRecord): Promise<{ uid: number; gid: number; additionalGids: number[] }> {
  const lookup = async (): Promise<{ uid: number; gid: number; additionalGids: number[] }> => {
    const root = await core.d.rootfs.mount({ id: rec.id, imageId: rec.imageId });
    return core.d.spec.resolveUser(root, e.config.user || rec.config.User);
  };
  if (!e.probe) return lookup();
  const key = `${rec.id}:${rec.state.startedAt}`;
  let user = probeUsers.get(key);
  if (!user) {
    for (const k of probeUsers.keys()) if (k.startsWith(`${rec.id}:`)) probeUsers.delete(k);
    user = lookup();
    probeUsers.set(key, user);
    user.catch(() => probeUsers.delete(key));
  }
  return user;
}

/** POST /exec/{id}/resize. */
export async function resizeExec(core: ContainerCore, ref: string, size: { height: number; width: number }): Promise<void> {
  const e = core.execs.get(ref);
  if (!e.session) throw new ConflictError(`Exec ${e.id} is not running`);
  await e.session.resize(size);
}

/** The client left an exec with its detach keys: the process runs on (dockerd's exec_detach). */
export function execDetached(core: ContainerCore, ref: string): void {
  const e = core.execs.get(ref);
  const rec = core.d.store.find(e.containerId);
  if (rec) core.event(rec, 'exec_detach', { execID: e.id });
}

/** GET /exec/{id}/json: the exec and whether its container still has it. */
export function inspectExec(core: ContainerCore, ref: string): ExecRecord {
  return core.execs.get(ref);
}
