import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../base/index.js';
import { readProcessArgv } from '../../host/index.js';
import type { RuntimeLayout } from './layout.js';

/** How often an exec that outlived a killed daemon is looked at until its conmon has ended. */
const ORPHAN_POLL_MS = 2000;

/**
 * The exec folders a daemon killed mid-exec left under <execRoot>/exec/ (it removes each one
 * when the exec ends, and was not there to see it end). A folder whose conmon has ended goes
 * now; one whose conmon still runs its process (an `exec -d` that goes on) stays until that
 * conmon ends: nobody can attach to it any more, but its process is the user's, as dockerd's
 * live restore keeps execs running. Answers what went and what waits.
 */
export async function sweepExecDirs(layout: RuntimeLayout, log: Logger): Promise<{ removed: string[]; waiting: string[] }> {
  const names = await readdir(layout.execsDir).catch(() => [] as string[]);
  const removed: string[] = [];
  const waiting: Array<{ name: string; pid: number }> = [];
  for (const name of names) {
    const dir = join(layout.execsDir, name);
    const pid = await conmonOf(dir);
    if (pid) waiting.push({ name, pid });
    else {
      await rm(dir, { recursive: true, force: true });
      removed.push(name);
    }
  }
  if (removed.length) log.info('removed the folders of execs that ended while the daemon was down', { execs: removed });
  if (waiting.length) {
    log.info('execs started before the daemon went down still run; their folders go when they end', { execs: waiting.map((w) => w.name) });
    const timer = setInterval(() => {
      for (const w of [...waiting]) {
        if (stillConmon(w.pid, join(layout.execsDir, w.name))) continue;
        waiting.splice(waiting.indexOf(w), 1);
        void rm(join(layout.execsDir, w.name), { recursive: true, force: true });
      }
      if (waiting.length === 0) clearInterval(timer);
    }, ORPHAN_POLL_MS);
    timer.unref();
  }
  return { removed, waiting: waiting.map((w) => w.name) };
}

/** The pid of the conmon serving the exec folder `dir`, while it runs (a reused pid is not it). */
async function conmonOf(dir: string): Promise<number | undefined> {
  const pid = Number((await readFile(join(dir, 'conmon.pid'), 'utf8').catch(() => '')).trim());
  return pid > 0 && stillConmon(pid, dir) ? pid : undefined;
}

function stillConmon(pid: number, dir: string): boolean {
  const argv = readProcessArgv(pid);
  return argv !== undefined && argv.includes('--exec-process-spec') && argv.includes(dir);
}
