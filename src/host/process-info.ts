import { readFileSync } from 'node:fs';
import { errnoCode } from '../base/index.js';

/** Whether a process with this pid exists (zombies count: they still hold the pid). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM';
  }
}

/** A process's argv from /proc, or undefined if it is gone. */
export function readProcessArgv(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`);
    if (raw.length === 0) return undefined; // zombie or kernel thread
    return raw.toString().replace(/\0$/, '').split('\0');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ESRCH') return undefined;
    throw e;
  }
}

/** Send a signal to a pid; false if it no longer exists. */
export function signalProcess(pid: number, signal: NodeJS.Signals | number): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (e) {
    if (errnoCode(e) === 'ESRCH') return false;
    throw e;
  }
}

/** What /proc says of one process: its parent, owner, state and command line. */
export interface ProcessStatus {
  pid: number;
  ppid: number;
  /** Real uid and gid (first fields of Uid: and Gid: in /proc/PID/status). */
  uid: number;
  gid: number;
  /** One letter, as ps shows it (R, S, D, Z, T...). */
  state: string;
  /** Start time after boot, in clock ticks (field 22 of /proc/PID/stat). */
  startTicks: number;
  /** The short command name (comm). */
  comm: string;
  /** argv; empty for a zombie or a kernel thread. */
  argv: string[];
}

/** /proc/PID/stat and status of a live process, or undefined once it is gone. */
export function readProcessStatus(pid: number): ProcessStatus | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    // comm is in parentheses and may itself hold spaces and parentheses: the last ')' ends it.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const rest = stat.slice(close + 2).split(' ');
    const field = (name: string): number => Number(/^(\S+)/.exec(status.split('\n').find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim() ?? '')?.[1] ?? NaN);
    return {
      pid, ppid: Number(rest[1]), uid: field('Uid'), gid: field('Gid'), state: rest[0] ?? '?',
      startTicks: Number(rest[19]), comm, argv: readProcessArgv(pid) ?? [],
    };
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ESRCH') return undefined;
    throw e;
  }
}
