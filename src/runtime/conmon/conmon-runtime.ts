import { constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  ConflictError, errnoCode, InternalError, InvalidArgumentError, NotFoundError, silentLogger, type Logger,
} from '../../base/index.js';
import type { LinuxResources, RuntimeProcess, RuntimeSpec } from '../../oci/index.js';
import { exec, isProcessAlive, readProcessArgv, spawnDaemon, SYSTEM_PATH } from '../../host/index.js';
import { attachConmon, type AttachStreams } from './attach.js';
import type { RuntimeName } from './detect.js';
import { execConmon, type ConmonExec } from './exec.js';
import { watchExitDir } from './exit-watch.js';
import { checkId, RuntimeLayout } from './layout.js';
import { extractRuntimeMessage, OciRuntimeError } from './runtime-error.js';

export interface ConmonRuntimeOptions {
  runtime: { name: RuntimeName; path: string };
  /** Volatile root for bundles, sockets and exit files, e.g. /run/berth. */
  execRoot: string;
  /** The runtime's --root; default <execRoot>/<runtime name>. */
  runtimeRoot?: string;
  conmonPath?: string;
  log?: Logger;
}

export interface CreateOptions {
  id: string;
  /** The container's name, for conmon's own logging. */
  name: string;
  /** Directory holding config.json; default bundlePath(id). */
  bundle?: string;
  /** k8s-file log conmon appends to. */
  logPath: string;
  tty: boolean;
  /** Keep a stdin pipe the attach socket can write to (docker -i). */
  stdin: boolean;
  /** Close the container's stdin when the first attached client detaches (Docker's StdinOnce). */
  stdinOnce?: boolean;
  /** Rotate the log past this many bytes (conmon --log-size-max). */
  logSizeMax?: number;
  /** A checkpoint's directory: conmon runs `<runtime> restore` from it, and the container runs at once. */
  restoreFrom?: string;
}

export type RuntimeStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

/**
 * conmon stays for the container's whole life, so it gets a small, fixed environment: no
 * supervisor sockets (NOTIFY_SOCKET, LISTEN_FDS) for the runtime to talk to, and a UTF-8 locale,
 * since under plain C glib converts conmon's messages through iconv and loads gconv modules:
 * 2.4 MB RSS per conmon instead of 2.0 MB, measured here.
 */
function conmonEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH || SYSTEM_PATH, LANG: 'C.UTF-8' };
}

/**
 * Runs containers through conmon + runc/crun. berthd is never a container's parent: conmon is,
 * so berthd may stop or crash while containers run, and find them again from the files under
 * the exec root (see RuntimeLayout). One conmon per running container and nothing else of ours.
 */
export class ConmonRuntime {
  readonly layout: RuntimeLayout;
  private readonly runtime: { name: RuntimeName; path: string };
  private readonly conmonPath: string;
  private readonly log: Logger;

  constructor(opts: ConmonRuntimeOptions) {
    this.runtime = opts.runtime;
    this.layout = new RuntimeLayout(opts.execRoot, opts.runtime.name, opts.runtimeRoot);
    this.conmonPath = opts.conmonPath ?? '/usr/bin/conmon';
    this.log = opts.log ?? silentLogger;
  }

  /** Where create() expects config.json unless told otherwise (write it with writeBundle()). */
  bundlePath(id: string): string {
    return this.layout.containerDir(id);
  }

  /**
   * Start conmon, which runs `<runtime> create`; resolves once the container exists (created, not
   * started) with its init pid. A runtime failure rejects with OciRuntimeError carrying runc's text.
   */
  async create(opts: CreateOptions): Promise<{ pid: number; conmonPid: number }> {
    const id = checkId(opts.id);
    const dir = this.layout.containerDir(id);
    const bundle = opts.bundle ?? dir;
    if (!existsSync(join(bundle, 'config.json'))) {
      throw new InvalidArgumentError(`Cannot create container ${id}: no config.json in bundle "${bundle}"`);
    }
    await this.clearStale(id);
    await Promise.all([
      mkdir(dir, { recursive: true, mode: 0o700 }),
      mkdir(this.layout.exitsDir, { recursive: true, mode: 0o700 }),
      mkdir(this.layout.runtimeRoot, { recursive: true, mode: 0o700 }),
      mkdir(dirname(opts.logPath), { recursive: true }),
    ]);

    const args = [
      '--api-version', '1',
      '-c', id, '-u', id, '-n', opts.name,
      '-r', this.runtime.path,
      '-b', bundle,
      '-p', this.layout.pidFile(id),
      '-P', this.layout.conmonPidFile(id),
      '-l', `k8s-file:${opts.logPath}`,
      '--exit-dir', this.layout.exitsDir,
      '--full-attach',
      '--runtime-arg', `--root=${this.layout.runtimeRoot}`,
      '--log-level', 'error',
    ];
    if (opts.tty) args.push('-t');
    if (opts.stdin) args.push('-i');
    // dockerd closes a container's stdin when its attach ends only without a TTY (a detached
    // `run -it` keeps its terminal's input for the next attach).
    if (opts.stdin && (!opts.stdinOnce || opts.tty)) args.push('--leave-stdin-open');
    if (opts.logSizeMax && opts.logSizeMax > 0) args.push('--log-size-max', String(opts.logSizeMax));
    if (opts.restoreFrom) args.push('--restore', opts.restoreFrom);

    this.log.debug('conmon create', { id, args });
    // conmon 2.1 writes its "oom" file into its working directory (newer ones into the bundle):
    // the container's own directory, where exitStatus() looks, never the daemon's.
    const res = await spawnDaemon(this.conmonPath, args, { syncEnv: '_OCI_SYNCPIPE', env: conmonEnv(), cwd: dir });
    const report = parseSyncReport(res.report);
    if (report && report.pid > 0) {
      const conmonPid = Number((await readFile(this.layout.conmonPidFile(id), 'utf8')).trim());
      return { pid: report.pid, conmonPid };
    }
    // Nothing runs now; leave no runtime state behind for the next attempt.
    await this.runtimeCmd(['delete', '--force', id], { allowFailure: true });
    if (report?.message) throw new OciRuntimeError('create', extractRuntimeMessage(report.message));
    throw new InternalError(`conmon failed to create container ${id} (exit ${res.code}): ${res.stderr.trim() || 'no report on the sync pipe'}`);
  }

  /** Run the created container's process (`<runtime> start`). */
  async start(id: string): Promise<void> {
    if (this.runtime.name === 'crun' && await this.releaseCrunInit(checkId(id))) return;
    const res = await this.runtimeCmd(['start', checkId(id)], { allowFailure: true });
    if (res.code !== 0) throw this.commandError('start', id, res.stderr);
  }

  /**
   * What `crun start` does for a container without hooks or notify socket, minus its process
   * (~6 ms here): the created init waits to read a byte from <state>/exec.fifo; crun opens the
   * FIFO, unlinks it (no FIFO is how crun tells "running" from "created") and writes the byte.
   * False when the FIFO cannot be opened (already started, or no init reading it): `crun start`
   * then runs and reports the error in its own words.
   */
  private async releaseCrunInit(id: string): Promise<boolean> {
    const fifo = join(this.layout.runtimeStateDir(id), 'exec.fifo');
    // Non-blocking: with no reader the open fails with ENXIO instead of waiting forever.
    const fh = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => undefined);
    if (!fh) return false;
    try {
      await rm(fifo);
      await fh.write(Buffer.of(0));
    } finally {
      await fh.close();
    }
    return true;
  }

  /** Signal the container's init process; signal as a name ("SIGTERM", "TERM") or number. */
  async kill(id: string, signal: string | number): Promise<void> {
    const sig = typeof signal === 'number' ? String(signal) : signal.toUpperCase();
    if (!/^(SIG)?[A-Z0-9+-]+$/.test(sig)) throw new InvalidArgumentError(`Invalid signal: ${signal}`);
    const res = await this.runtimeCmd(['kill', checkId(id), sig], { allowFailure: true });
    if (res.code !== 0) throw this.commandError('kill', id, res.stderr);
  }

  /**
   * Remove the container from the runtime and its files from the exec root (exit file included:
   * read exitStatus() first). force kills a running container first and waits for conmon to record it.
   */
  async delete(id: string, opts: { force?: boolean } = {}): Promise<void> {
    checkId(id);
    const known = existsSync(this.layout.runtimeStateDir(id));
    if (known && opts.force && this.isConmonAlive(id)) {
      await this.runtimeCmd(['kill', id, 'KILL'], { allowFailure: true });
      // conmon writes the exit file once it reaps the process; wait so it does not land after cleanup.
      await this.waitExit(id, { timeoutMs: 10000 }).catch(() => undefined);
    }
    if (known) {
      const res = await this.runtimeCmd(opts.force ? ['delete', '--force', id] : ['delete', id], { allowFailure: true });
      if (res.code !== 0 && !/does not exist/.test(res.stderr)) throw this.commandError('delete', id, res.stderr);
    }
    await rm(this.layout.containerDir(id), { recursive: true, force: true });
    await rm(this.layout.exitFile(id), { force: true });
  }

  /** The runtime's view of the container, or undefined if it has none. */
  async state(id: string): Promise<{ status: RuntimeStatus; pid: number } | undefined> {
    // runc and crun keep one directory per container under their root: no directory, no container,
    // and no need to spawn the runtime (a Go binary costs ~10 ms per call here).
    if (!existsSync(this.layout.runtimeStateDir(id))) return undefined;
    const res = await this.runtimeCmd(['state', id], { allowFailure: true });
    if (res.code !== 0) {
      if (/does not exist|not found|no such/i.test(res.stderr)) return undefined;
      throw this.commandError('state', id, res.stderr);
    }
    const v = JSON.parse(res.stdout) as { status: RuntimeStatus; pid?: number };
    return { status: v.status, pid: v.pid ?? 0 };
  }

  /**
   * The exit code conmon recorded and when, or undefined while the container has not exited;
   * oomKilled when conmon saw the kernel's OOM killer act in the container's memory cgroup.
   */
  async exitStatus(id: string): Promise<{ exitCode: number; finishedAt: Date; oomKilled: boolean } | undefined> {
    const file = this.layout.exitFile(id);
    try {
      const [text, st] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
      const exitCode = Number.parseInt(text.trim(), 10);
      const oomKilled = existsSync(this.layout.oomFile(id));
      return { exitCode: Number.isNaN(exitCode) ? -1 : exitCode, finishedAt: st.mtime, oomKilled };
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** Call onExit(id) whenever conmon records an exit; returns the function that stops watching. */
  watchExits(onExit: (id: string) => void): () => void {
    mkdirSync(this.layout.exitsDir, { recursive: true, mode: 0o700 });
    return watchExitDir(this.layout.exitsDir, onExit);
  }

  /** Resolve when the container's exit file exists (at once if it already does). */
  async waitExit(id: string, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<{ exitCode: number; finishedAt: Date; oomKilled: boolean }> {
    checkId(id);
    let stop: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      const fired = new Promise<void>((resolve, reject) => {
        stop = this.watchExits((exited) => { if (exited === id) resolve(); });
        if (opts.timeoutMs !== undefined) {
          timer = setTimeout(() => reject(new InternalError(`Timed out waiting for container ${id} to exit`)), opts.timeoutMs);
        }
        onAbort = () => reject(opts.signal?.reason ?? new Error('aborted'));
        opts.signal?.addEventListener('abort', onAbort, { once: true });
      });
      const early = await this.exitStatus(id);
      if (early) return early;
      await fired;
      const st = await this.exitStatus(id);
      if (!st) throw new InternalError(`Exit file of container ${id} vanished`);
      return st;
    } finally {
      stop?.();
      if (timer) clearTimeout(timer);
      if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Whether this container's conmon still runs (live restore after a daemon restart). */
  isConmonAlive(id: string): boolean {
    let pid: number;
    try {
      pid = Number(readFileSync(this.layout.conmonPidFile(id), 'utf8').trim());
    } catch {
      return false;
    }
    if (!isProcessAlive(pid)) return false;
    // Guard against pid reuse: it must still be a conmon for this container.
    const argv = readProcessArgv(pid);
    return !!argv && (argv[0] ?? '').endsWith('conmon') && argv.includes(id);
  }

  /** Attach to the container's stdio through conmon's socket (before start to miss nothing). */
  async attach(id: string, opts: { stdin: boolean }): Promise<AttachStreams> {
    try {
      return await attachConmon(this.layout.attachSocket(checkId(id)), opts);
    } catch (e) {
      if (e instanceof InvalidArgumentError) throw e;
      throw new ConflictError(`Container ${id} is not running`, { cause: e });
    }
  }

  /** Resize the container's terminal through conmon's control FIFO. */
  async resize(id: string, size: { height: number; width: number }): Promise<void> {
    await resizeThrough(this.layout.ctlFifo(checkId(id)), size, `Container ${id} is not running`);
  }

  /** The container's own process, as its bundle's config.json has it (what an exec starts from). */
  async process(id: string): Promise<RuntimeProcess> {
    try {
      return (JSON.parse(await readFile(join(this.layout.containerDir(checkId(id)), 'config.json'), 'utf8')) as RuntimeSpec).process;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') throw new ConflictError(`Container ${id} is not running`);
      throw e;
    }
  }

  /** Run a process in the running container under its own conmon (see exec.ts). */
  exec(id: string, opts: { execId: string; process: RuntimeProcess; stdin: boolean; attach: boolean }): Promise<ConmonExec> {
    return execConmon({
      conmonPath: this.conmonPath, runtimePath: this.runtime.path, runtimeRoot: this.layout.runtimeRoot,
      containerId: checkId(id), execId: opts.execId, dir: this.layout.execDir(opts.execId),
      process: opts.process, env: conmonEnv(), stdin: opts.stdin, attach: opts.attach, log: this.log,
    });
  }

  /** Resize an exec's terminal through its conmon's control FIFO. */
  async resizeExec(execId: string, size: { height: number; width: number }): Promise<void> {
    await resizeThrough(join(this.layout.execDir(execId), 'ctl'), size, `Exec ${execId} is not running`);
  }

  /**
   * Dump the container with criu (`<runtime> checkpoint`) into `imagePath` (criu's logs there
   * too); its processes end unless `leaveRunning`. A failure carries the runtime's message and
   * the last errors of criu's log.
   */
  async checkpoint(id: string, opts: { imagePath: string; leaveRunning: boolean }): Promise<void> {
    const args = ['checkpoint', '--image-path', opts.imagePath, '--work-path', opts.imagePath, ...(opts.leaveRunning ? ['--leave-running'] : []), checkId(id)];
    const res = await this.runtimeCmd(args, { allowFailure: true });
    if (res.code === 0) return;
    const log = await readFile(join(opts.imagePath, 'dump.log'), 'utf8').catch(() => '');
    const criu = log.split('\n').filter((l) => /\bError\b/.test(l)).slice(-3).map((l) => l.replace(/^\([\d.]+\)\s*/, '')).join('; ');
    const err = this.commandError('checkpoint', id, res.stderr);
    throw criu && err instanceof OciRuntimeError ? new OciRuntimeError('checkpoint', `${err.runtimeMessage} (${criu})`) : err;
  }

  /** Freeze every process of the container (`<runtime> pause`, the cgroup freezer). */
  async pause(id: string): Promise<void> {
    const res = await this.runtimeCmd(['pause', checkId(id)], { allowFailure: true });
    if (res.code !== 0) throw this.commandError('pause', id, res.stderr);
  }

  /** Thaw a paused container (`<runtime> resume`). */
  async resume(id: string): Promise<void> {
    const res = await this.runtimeCmd(['resume', checkId(id)], { allowFailure: true });
    if (res.code !== 0) throw this.commandError('resume', id, res.stderr);
  }

  /**
   * Change a running container's cgroup limits (`<runtime> update --resources FILE`, the OCI
   * linux.resources shape); runc and crun both read the file, only runc reads "-" as stdin.
   */
  async update(id: string, resources: LinuxResources): Promise<void> {
    const file = join(this.layout.containerDir(checkId(id)), 'resources.json');
    await writeFile(file, JSON.stringify(resources));
    try {
      const res = await this.runtimeCmd(['update', '--resources', file, id], { allowFailure: true });
      if (res.code !== 0) throw this.commandError('update', id, res.stderr);
    } finally {
      await rm(file, { force: true });
    }
  }

  /** The pids in the container's cgroup (`<runtime> ps --format json`), as the host numbers them. */
  async pids(id: string): Promise<number[]> {
    const res = await this.runtimeCmd(['ps', '--format', 'json', checkId(id)], { allowFailure: true });
    if (res.code !== 0) throw this.commandError('ps', id, res.stderr);
    const pids = JSON.parse(res.stdout || '[]') as unknown;
    return Array.isArray(pids) ? pids.filter((p): p is number => Number.isInteger(p)) : [];
  }

  private async clearStale(id: string): Promise<void> {
    const st = await this.state(id);
    if (st && (st.status === 'running' || st.status === 'paused')) throw new ConflictError(`Container ${id} is already running`);
    if (st) await this.runtimeCmd(['delete', '--force', id], { allowFailure: true });
    if (this.isConmonAlive(id)) throw new ConflictError(`Container ${id} is already running`);
    const dir = this.layout.containerDir(id);
    await Promise.all(['pidfile', 'conmon.pid', 'attach', 'ctl', 'winsz', 'oom'].map((f) => rm(join(dir, f), { force: true })));
    await rm(this.layout.exitFile(id), { force: true });
  }

  private runtimeCmd(args: string[], opts: { allowFailure: boolean }) {
    this.log.debug('runtime', { runtime: this.runtime.name, args });
    return exec(this.runtime.path, [`--root=${this.layout.runtimeRoot}`, ...args], opts);
  }

  private commandError(op: string, id: string, stderr: string): Error {
    const msg = extractRuntimeMessage(stderr);
    if (/does not exist/.test(msg)) return new NotFoundError(`No such container: ${id}`);
    if (/not running|process already finished|container is stopped/i.test(msg)) return new ConflictError(`Container ${id} is not running`);
    if (/not stopped/.test(msg)) return new ConflictError(`Container ${id} is running: stop the container before removing it`);
    return new OciRuntimeError(op, msg);
  }
}

/** Write a terminal size to a conmon's control FIFO ("1 <height> <width>"). */
async function resizeThrough(ctl: string, size: { height: number; width: number }, notRunning: string): Promise<void> {
  const h = Math.trunc(size.height);
  const w = Math.trunc(size.width);
  if (!(h >= 0 && w >= 0)) throw new InvalidArgumentError(`Invalid terminal size ${size.height}x${size.width}`);
  let fh;
  try {
    // Non-blocking: with conmon gone there is no reader and open fails with ENXIO instead of hanging.
    fh = await open(ctl, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (e) {
    if (errnoCode(e) === 'ENXIO' || errnoCode(e) === 'ENOENT') throw new ConflictError(notRunning);
    throw e;
  }
  try {
    await fh.write(`1 ${h} ${w}\n`);
  } finally {
    await fh.close();
  }
}

/** conmon's sync-pipe line: {"data": pid} with --api-version 1 ({"pid": ...} in older ones). */
export function parseSyncReport(line: string | undefined): { pid: number; message?: string } | undefined {
  if (!line) return undefined;
  try {
    const v = JSON.parse(line) as { data?: number; pid?: number; message?: string };
    const pid = v.data ?? v.pid;
    if (typeof pid !== 'number') return undefined;
    return { pid, message: v.message };
  } catch {
    return undefined;
  }
}
