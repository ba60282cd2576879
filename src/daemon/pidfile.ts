import { readFile, rm } from 'node:fs/promises';
import { InvalidArgumentError, errnoCode, writeFileAtomic } from '../base/index.js';

/** Refuse to start beside a live berthd; take over a stale pid file. */
export async function claimPidfile(path: string): Promise<() => Promise<void>> {
  try {
    const pid = Number((await readFile(path, 'utf8')).trim());
    if (pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new InvalidArgumentError(`pid file found, ensure berthd is not running or delete ${path}`);
    }
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT' && !(e instanceof SyntaxError)) throw e;
  }
  await writeFileAtomic(path, `${process.pid}`);
  return () => rm(path, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM';
  }
}
