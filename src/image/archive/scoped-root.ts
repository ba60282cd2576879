import { posix } from 'node:path';
import { InvalidArgumentError } from '../../base/index.js';
import { fileType, S_IFDIR, S_IFLNK, type ScopedDir } from '../../host/index.js';

const MAX_SYMLINK_HOPS = 40;
/** Linux's limits: a path of at most PATH_MAX - 1 bytes, components of at most NAME_MAX. */
const PATH_MAX = 4096;
const NAME_MAX = 255;

/**
 * Resolves archive paths to real directories inside a root without ever leaving it: symlinks
 * met on the way are followed only while they stay inside; absolute targets or `..` past the
 * root are refused. The result is a path with no symlink in it, which the ScopedDir's calls
 * then use with symlinks forbidden: a stale answer fails (ELOOP, ENOTDIR), it never escapes.
 * Directories known to be real are cached so deep trees cost one lstat per directory.
 */
export class ScopedRoot {
  private readonly realDirs = new Set<string>(['']);
  constructor(readonly dir: ScopedDir) {}

  /** Note that `rel` is a real directory (created by the caller). */
  markDir(rel: string): void {
    this.realDirs.add(rel);
  }

  /** Forget cached directories at or below `rel` (after it was removed or replaced). */
  forget(rel: string): void {
    if (!this.realDirs.has(rel)) return;
    const prefix = `${rel}/`;
    for (const d of this.realDirs) if (d === rel || d.startsWith(prefix)) this.realDirs.delete(d);
  }

  /** Remove whatever is at `rel` (a directory with all it holds), keeping the cache honest. */
  remove(rel: string): boolean {
    this.forget(rel);
    return this.dir.remove(rel);
  }

  /**
   * The real path (relative to root, no symlinks) of directory `rel`. Missing directories
   * are created with mode 0755 when `create` is set, as Docker's implied directories.
   */
  resolveDir(rel: string, opts: { create: boolean; entry: string }): string {
    if (this.realDirs.has(rel)) return rel;
    const queue = rel.split('/');
    let cur = '';
    let hops = 0;
    while (queue.length > 0) {
      const part = queue.shift()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (cur === '') throw escapes(opts.entry);
        const i = cur.lastIndexOf('/');
        cur = i < 0 ? '' : cur.slice(0, i);
        continue;
      }
      const next = cur === '' ? part : `${cur}/${part}`;
      if (this.realDirs.has(next)) { cur = next; continue; }
      if (Buffer.byteLength(next) >= PATH_MAX) throw new InvalidArgumentError(`Cannot apply layer entry "${opts.entry}": path is longer than ${PATH_MAX - 1} bytes`);
      const st = this.dir.lstat(next);
      if (!st) {
        if (!opts.create) throw new InvalidArgumentError(`Cannot apply layer entry "${opts.entry}": "${next}" does not exist`);
        this.dir.mkdir(next, { mode: 0o755, uid: 0, gid: 0 });
        this.realDirs.add(next);
        cur = next;
        continue;
      }
      const type = fileType(st.mode);
      if (type === S_IFDIR) {
        this.realDirs.add(next);
        cur = next;
      } else if (type === S_IFLNK) {
        if (++hops > MAX_SYMLINK_HOPS) throw new InvalidArgumentError(`Cannot apply layer entry "${opts.entry}": too many levels of symbolic links`);
        const target = this.dir.readlink(next);
        if (target.startsWith('/')) throw escapes(opts.entry, next, target);
        queue.unshift(...target.split('/'));
      } else {
        throw new InvalidArgumentError(`Cannot apply layer entry "${opts.entry}": "${next}" is not a directory`);
      }
    }
    return cur;
  }
}

function escapes(entry: string, link?: string, target?: string): InvalidArgumentError {
  const via = link ? ` through symlink "${link}" -> "${target}"` : '';
  return new InvalidArgumentError(`Cannot apply layer entry "${entry}": path escapes the layer root${via}`);
}

/**
 * Clean an archive entry name into a root-relative path ('' for the root itself).
 * Absolute names, names climbing out with `..`, NUL bytes and names Linux cannot hold
 * (longer than PATH_MAX, a component longer than NAME_MAX) are refused.
 */
export function cleanEntryName(name: string): string {
  if (name.startsWith('/')) throw new InvalidArgumentError(`Cannot apply layer entry "${name}": absolute paths are not allowed`);
  if (name.includes('\0')) throw new InvalidArgumentError(`Cannot apply layer entry ${JSON.stringify(name)}: the name holds a NUL byte`);
  const n = posix.normalize(name).replace(/\/+$/, '');
  if (n === '.' || n === '') return '';
  if (n === '..' || n.startsWith('../')) throw escapes(name);
  const clean = n.startsWith('./') ? n.slice(2) : n;
  if (Buffer.byteLength(clean) >= PATH_MAX) throw new InvalidArgumentError(`Cannot apply layer entry "${name.slice(0, 64)}...": path is longer than ${PATH_MAX - 1} bytes`);
  for (const part of clean.split('/')) {
    if (Buffer.byteLength(part) > NAME_MAX) throw new InvalidArgumentError(`Cannot apply layer entry "${name.slice(0, 64)}...": a path component is longer than ${NAME_MAX} bytes`);
  }
  return clean;
}
