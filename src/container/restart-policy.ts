import type { ContainerRecord } from './config.js';

/** Whether an exited container restarts, by its policy (dockerd's restartmanager rules). */
export function shouldRestart(rec: ContainerRecord, opts: { exitCode: number; daemonStarting?: boolean }): boolean {
  if (rec.hostConfig.AutoRemove) return false;
  const { Name, MaximumRetryCount } = rec.hostConfig.RestartPolicy;
  switch (Name) {
    case 'always':
      // A stop holds only until the daemon restarts (dockerd's restart manager is new then).
      return opts.daemonStarting === true || !rec.manuallyStopped;
    case 'unless-stopped':
      return !rec.manuallyStopped;
    case 'on-failure':
      if (opts.daemonStarting) return false;
      return opts.exitCode !== 0 && !rec.manuallyStopped && (MaximumRetryCount === 0 || rec.restartCount < MaximumRetryCount);
    default:
      return false;
  }
}

const MIN_DELAY_MS = 100;
const MAX_DELAY_MS = 60_000;
/** A run at least this long resets the back-off. */
const STABLE_RUN_MS = 10_000;

/** Next back-off delay: doubles per quick failure, resets after a stable run. */
export function nextRestartDelay(prevDelayMs: number, ranForMs: number): number {
  if (ranForMs >= STABLE_RUN_MS || prevDelayMs === 0) return MIN_DELAY_MS;
  return Math.min(prevDelayMs * 2, MAX_DELAY_MS);
}
