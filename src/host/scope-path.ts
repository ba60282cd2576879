import { errnoCode, InvalidArgumentError } from '../base/index.js';
import { fileType, S_IFLNK, type ScopedDir } from './beneath.js';

/** Linux's limit on symlinks followed in one lookup (and Go's FollowSymlinkInScope's). */
const MAX_LINKS = 40;

/**
 * `path` resolved inside the directory `dir` taken as "/", as Docker's FollowSymlinkInScope
 * does: symlinks are followed (absolute targets from the root), `..` never climbs above the
 * root, and a missing component ends the walk (the rest is kept as written). The answer is a
 * root-relative path ('' for the root) holding no symlink at the time of the walk; callers then
 * use it through the ScopedDir, whose calls forbid symlinks, so a component swapped for a link
 * afterwards makes the call fail (ELOOP), never escape. With `followLast: false` a symlink as
 * the last component is kept (what `docker cp` stats and copies without -L).
 */
export function resolveInScope(dir: ScopedDir, path: string, opts: { followLast: boolean }): string {
  const queue = path.split('/').filter((p) => p !== '' && p !== '.');
  const done: string[] = [];
  let links = 0;
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const rel = [...done, part].join('/');
    const last = queue.length === 0;
    let st;
    try {
      st = dir.lstat(rel);
    } catch (e) {
      // a parent that is not a directory: the path names nothing, as lstat would say
      if (errnoCode(e) === 'ENOTDIR') st = undefined;
      else throw e;
    }
    if (!st || fileType(st.mode) !== S_IFLNK || (last && !opts.followLast)) {
      done.push(part);
      if (!st) {
        // nothing there: the remaining components are taken as written
        for (const p of queue) {
          if (p === '..') done.pop();
          else done.push(p);
        }
        break;
      }
      continue;
    }
    if (++links > MAX_LINKS) throw new InvalidArgumentError(`Cannot resolve "${path}": too many levels of symbolic links`);
    const target = dir.readlink(rel);
    if (target.startsWith('/')) done.length = 0;
    queue.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
  }
  return done.join('/');
}
