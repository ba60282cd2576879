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
