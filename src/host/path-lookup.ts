import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/** Where the host's programs live, in the order a default PATH searches them. */
export const SYSTEM_DIRS: readonly string[] = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
export const SYSTEM_PATH = SYSTEM_DIRS.join(':');

/** The first executable file `name` in `dirs`, as execvp looks (an empty entry is the working directory), or undefined. */
export function findInDirs(name: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const candidate = join(dir || '.', name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
