import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { hostAddon } from './native.js';
import { spawnNative } from './native-spawn.js';
import { collectOutput } from './output.js';

export interface DaemonSpawnOptions {
  /** Name of the environment variable that tells the program its report fd ("_OCI_SYNCPIPE"). */
  syncEnv: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface DaemonSpawnResult {
  /** Exit code of the process we started (the daemon itself lives on in a grandchild). */
  code: number;
  /** The first line the daemon wrote on its report fd, or undefined if it closed it silently. */
  report?: string;
  stderr: string;
}

const SYNC_FD = 3;

/** The process we started: its stderr, its report fd, the extra pipes and its exit code. */
interface Started {
  stderr: Readable;
  sync: Readable;
  pipes: Array<Readable | Writable>;
  exit: Promise<number>;
}

/** One more pipe for the daemon, named to it by an environment variable holding its fd. */
export interface DaemonPipe {
  env: string;
  /** 'in': the daemon reads what we write; 'out': it writes to us. */
  dir: 'in' | 'out';
}

export interface PipedDaemon {
  /** Exit code of the process we started (it forks the daemon and exits). */
  exit: Promise<number>;
  stderr: Readable;
  /** The report fd, left open: a daemon may report more than once (conmon --exec: pid, then exit code). */
  sync: Readable;
  /** Our end of each extra pipe, in the order asked for. */
  pipes: Array<Readable | Writable>;
}

/**
 * Start a forking daemon with its report fd and extra pipes (conmon --exec's start and attach
 * pipes), and hand back our ends of them without reading: the caller speaks the protocol.
 */
export async function spawnDaemonPiped(file: string, args: readonly string[], opts: DaemonSpawnOptions & { pipes: readonly DaemonPipe[] }): Promise<PipedDaemon> {
  const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env), [opts.syncEnv]: String(SYNC_FD) };
  opts.pipes.forEach((p, i) => { env[p.env] = String(SYNC_FD + 1 + i); });
  const dirs = opts.pipes.map((p) => p.dir);
  const started = hostAddon ? startNative(file, args, env, opts.cwd, dirs) : await startForked(file, args, env, opts.cwd, dirs);
  return { exit: started.exit, stderr: started.stderr, sync: started.sync, pipes: started.pipes };
}

/**
 * Start a program that forks itself into the background (conmon without --sync) and wait for
 * its first report line on an extra fd. The daemon starts in its own session so that signals
 * aimed at berthd's group never reach it; we keep no handle on it afterwards.
 */
export async function spawnDaemon(file: string, args: readonly string[], opts: DaemonSpawnOptions): Promise<DaemonSpawnResult> {
  const env = { ...(opts.env ?? process.env), [opts.syncEnv]: String(SYNC_FD) };
  const started = hostAddon ? startNative(file, args, env, opts.cwd) : await startForked(file, args, env, opts.cwd);
  const stderr = collectOutput(started.stderr);
  const [report, code] = await Promise.all([firstLine(started.sync), started.exit.then((c) => {
    // A program that failed before forking never hands the fd on: its report is over too.
    if (c !== 0) setImmediate(() => started.sync.destroy());
    return c;
  })]);
  // The daemon may hold stderr open for its whole life; a program that failed closed it on exit.
  if (code !== 0) await Promise.race([stderr.closed, new Promise((r) => setTimeout(r, 1000).unref())]);
  started.stderr.destroy();
  return { code, report, stderr: stderr.text() };
}

function startNative(file: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string | undefined, extra: ReadonlyArray<'in' | 'out'> = []): Started {
  const child = spawnNative(hostAddon!, file, args, { env, cwd, fds: ['null', 'null', 'out', 'out', ...extra], detached: true });
  // The direct child forks the daemon and exits at once: reaping it holds a pool thread only briefly.
  return {
    stderr: child.streams[2]!, sync: child.streams[SYNC_FD]!, pipes: extra.map((_, i) => child.streams[SYNC_FD + 1 + i]!),
    exit: child.exited().then(({ code, signal }) => code ?? (signal ? 128 : 1)),
  };
}

function startForked(file: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string | undefined, extra: ReadonlyArray<'in' | 'out'> = []): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', ...extra.map(() => 'pipe' as const)], env, cwd, detached: true });
    child.on('error', reject);
    child.on('spawn', () => resolve({
      stderr: child.stderr!, sync: child.stdio[SYNC_FD] as Readable,
      pipes: extra.map((_, i) => child.stdio[SYNC_FD + 1 + i] as Readable | Writable),
      exit: new Promise((res) => child.on('exit', (c, sig) => res(c ?? (sig ? 128 : 1)))),
    }));
    child.unref();
  });
}

/** The first line on `sync` (or what came before it closed), then stop reading. */
function firstLine(sync: Readable): Promise<string | undefined> {
  return new Promise((resolve) => {
    let pending = Buffer.alloc(0);
    let done = false;
    const end = (line?: string): void => {
      if (done) return;
      done = true;
      sync.destroy();
      resolve(line);
    };
    sync.on('data', (b: Buffer) => {
      pending = Buffer.concat([pending, b]);
      const nl = pending.indexOf(0x0a);
      if (nl >= 0) end(pending.subarray(0, nl).toString());
    });
    sync.on('end', () => end(pending.length ? pending.toString() : undefined));
    sync.on('close', () => end(pending.length ? pending.toString() : undefined));
    sync.on('error', () => end(undefined));
  });
}
