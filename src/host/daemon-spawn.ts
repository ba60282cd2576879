import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface DaemonSpawnOptions {
  /** Name of the environment variable that tells the program its report fd ("_OCI_SYNCPIPE"). */
  syncEnv: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
}

export interface DaemonSpawnResult {
  /** Exit code of the process we started (the daemon itself lives on in a grandchild). */
  code: number;
  /** The first line the daemon wrote on its report fd, or undefined if it closed it silently. */
  report?: string;
  stderr: string;
}

const SYNC_FD = 3;

/**
 * Start a program that forks itself into the background (conmon without --sync) and wait for
 * its first report line on an extra fd. The daemon starts in its own process group so that
 * signals aimed at berthd's group never reach it; we keep no handle on it afterwards.
 */
export function spawnDaemon(file: string, args: readonly string[], opts: DaemonSpawnOptions): Promise<DaemonSpawnResult> {
  return new Promise((resolve, reject) => {
    const env = { ...(opts.env ?? process.env), [opts.syncEnv]: String(SYNC_FD) };
    const child = spawn(file, args, {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env, cwd: opts.cwd, detached: true, signal: opts.signal,
    });
    const err: Buffer[] = [];
    let code: number | undefined;
    let report: string | undefined;
    let reportDone = false;
    const sync = child.stdio[SYNC_FD] as Readable;
    let pending = Buffer.alloc(0);

    const finish = (): void => {
      if (code === undefined || !reportDone) return;
      child.stderr!.destroy();
      resolve({ code, report, stderr: Buffer.concat(err).toString() });
    };
    const endReport = (line?: string): void => {
      if (reportDone) return;
      reportDone = true;
      report = line;
      sync.destroy();
      finish();
    };
    sync.on('data', (b: Buffer) => {
      pending = Buffer.concat([pending, b]);
      const nl = pending.indexOf(0x0a);
      if (nl >= 0) endReport(pending.subarray(0, nl).toString());
    });
    sync.on('end', () => endReport(pending.length ? pending.toString() : undefined));
    sync.on('error', () => endReport(undefined));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      sync.destroy();
      child.stderr!.destroy();
      reject(e);
    });
    child.on('exit', (c, sig) => {
      code = c ?? (sig ? 128 : 1);
      // A program that failed before forking never hands the fd on: its report is over too.
      if (code !== 0) setImmediate(() => endReport(pending.length ? pending.toString() : undefined));
      finish();
    });
    child.unref();
  });
}
