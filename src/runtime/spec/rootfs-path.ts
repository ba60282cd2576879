import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { errnoCode, InvalidArgumentError } from '../../base/index.js';

const MAX_SYMLINKS = 255;

/**
 * Resolve `path` inside `root` as if `root` were "/": symlinks (absolute or relative) and ".."
 * never lead outside it, like Docker's FollowSymlinkInScope. Components that do not exist are
 * kept as they are, so the caller's open() fails with ENOENT inside the root.
 */
export async function resolveInRoot(root: string, path: string): Promise<string> {
  const base = posix.resolve(root);
  let rest = posix.normalize(`/${path}`).split('/').filter(Boolean);
  let resolved: string[] = [];
  let links = 0;
  while (rest.length > 0) {
    const part = rest.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = posix.join(base, ...resolved, part);
    let isLink = false;
    try {
      isLink = (await lstat(candidate)).isSymbolicLink();
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT' && errnoCode(e) !== 'ENOTDIR') throw e;
    }
    if (!isLink) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new InvalidArgumentError(`Cannot resolve "${path}" in "${root}": too many levels of symbolic links`);
    const target = await readlink(candidate);
    if (target.startsWith('/')) resolved = [];
    rest = [...target.split('/').filter(Boolean), ...rest];
  }
  return posix.join(base, ...resolved);
}
