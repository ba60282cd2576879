import { lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { errnoCode, InvalidArgumentError } from '../../base/index.js';

const MAX_SYMLINK_HOPS = 40;

/**
 * Resolves archive paths inside a root directory without ever leaving it: symlinks met
 * on the way are followed only while they stay inside; absolute targets or `..` past the
 * root are refused. Directories known to be real are cached so deep trees cost one lstat
 * per directory, not per entry.
 */
export class ScopedRoot {
  private readonly realDirs = new Set<string>(['']);
  constructor(readonly root: string) {}

  abs(rel: string): string {
    return rel === '' ? this.root : join(this.root, rel);
  }

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

  /** Remove whatever is at `rel` (recursively), keeping the cache honest. */
  async remove(rel: string): Promise<void> {
    this.forget(rel);
    await rm(this.abs(rel), { recursive: true, force: true });
  }

  /**
   * The real path (relative to root, no symlinks) of directory `rel`. Missing directories
   * are created with mode 0755 when `create` is set, as Docker's implied directories.
   */
  async resolveDir(rel: string, opts: { create: boolean; entry: string }): Promise<string> {
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
      let st;
      try {
        st = lstatSync(this.abs(next));
      } catch (e) {
        if (errnoCode(e) !== 'ENOENT') throw e;
        if (!opts.create) throw new InvalidArgumentError(`Cannot apply layer entry "${opts.entry}": "${next}" does not exist`);
        mkdirSync(this.abs(next), { mode: 0o755 });
        this.realDirs.add(next);
        cur = next;
        continue;
      }
      if (st.isDirectory()) {
        this.realDirs.add(next);
        cur = next;
      } else if (st.isSymbolicLink()) {
        if (++hops > MAX_SYMLINK_HOPS) throw new InvalidArgumentError(`Cannot apply layer entry "${opts.entry}": too many levels of symbolic links`);
        const target = readlinkSync(this.abs(next));
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
 * Absolute names and names climbing out with `..` are refused.
 */
export function cleanEntryName(name: string): string {
  if (name.startsWith('/')) throw new InvalidArgumentError(`Cannot apply layer entry "${name}": absolute paths are not allowed`);
  const n = posix.normalize(name).replace(/\/+$/, '');
  if (n === '.' || n === '') return '';
  if (n === '..' || n.startsWith('../')) throw escapes(name);
  return n.startsWith('./') ? n.slice(2) : n;
}
