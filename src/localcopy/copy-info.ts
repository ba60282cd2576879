import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { errnoCode, InvalidArgumentError } from '../base/index.js';
import { rebaseTar } from '../image/archive/index.js';

/** What one side of a copy is (Docker's archive.CopyInfo). */
export interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  /** The name the source's top entry takes in the archive when it differs from its own (a followed link). */
  rebaseName: string;
}

export const ERR_NOT_DIRECTORY = 'not a directory';
export const ERR_DIR_NOT_EXISTS = 'no such directory';
export const ERR_CANNOT_COPY_DIR = 'cannot copy directory';

export function specifiesCurrentDir(p: string): boolean {
  return p === '.' || p.endsWith('/.');
}

export function hasTrailingSeparator(p: string): boolean {
  return p.length > 1 && p.endsWith('/');
}

/** Docker's SplitPathDirEntry: the parent and the last element, "." kept for a path ending in "/.". */
export function splitPathDirEntry(p: string): { dir: string; base: string } {
  let cleaned = posix.normalize(p);
  if (cleaned.length > 1) cleaned = cleaned.replace(/\/+$/, '');
  if (specifiesCurrentDir(p) && !cleaned.endsWith('/.') && cleaned !== '.') cleaned += '/.';
  const i = cleaned.lastIndexOf('/');
  if (i < 0) return { dir: '.', base: cleaned };
  return { dir: i === 0 ? '/' : cleaned.slice(0, i), base: cleaned.slice(i + 1) || '/' };
}

/** Docker's GetRebaseName: the resolved path with the original's trailing "/" or "/.", and the name to rebase to. */
export function getRebaseName(path: string, resolved: string): { resolved: string; rebaseName: string } {
  let r = resolved;
  if (specifiesCurrentDir(path) && !specifiesCurrentDir(r)) r += '/.';
  if (hasTrailingSeparator(path) && !hasTrailingSeparator(r)) r += '/';
  const b1 = posix.basename(path);
  const b2 = posix.basename(r);
  return { resolved: r, rebaseName: b1 !== b2 ? b1 : '' };
}

/** Docker's CopyInfoSourcePath for a local path: the parent's links resolved, the last one only with -L. */
export function copyInfoSourcePath(path: string, followLink: boolean): CopyInfo {
  let resolved: string;
  let rebaseName = '';
  if (followLink) {
    ({ resolved, rebaseName } = getRebaseName(path, realpathSync(path)));
  } else {
    const i = path.lastIndexOf('/');
    const dirPart = i < 0 ? '.' : path.slice(0, i + 1);
    const basePart = path.slice(i + 1);
    const dir = realpathSync(dirPart);
    resolved = dir === '/' ? `/${basePart}` : `${dir}/${basePart}`;
    if (hasTrailingSeparator(path) && posix.basename(path) !== posix.basename(resolved)) rebaseName = posix.basename(path);
  }
  const st = lstatSync(resolved);
  return { path: resolved, exists: true, isDir: st.isDirectory(), rebaseName };
}

/**
 * Docker's CopyInfoDestinationPath for a local path: links at the end are followed (a
 * dangling one names what the copy creates); a missing path needs an existing parent directory.
 */
export function copyInfoDestinationPath(path: string): CopyInfo {
  let p = path;
  for (let n = 0; ; n++) {
    let st;
    try {
      st = lstatSync(p);
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw e;
      const parent = splitPathDirEntry(p).dir;
      if (!statSync(parent).isDirectory()) throw new InvalidArgumentError(ERR_NOT_DIRECTORY);
      return { path: p, exists: false, isDir: false, rebaseName: '' };
    }
    if (!st.isSymbolicLink()) return { path: p, exists: true, isDir: st.isDirectory(), rebaseName: '' };
    if (n >= 10) throw new InvalidArgumentError(`too many symlinks in ${path}`);
    const target = readlinkSync(p);
    p = target.startsWith('/') ? target : posix.join(splitPathDirEntry(p).dir, target);
  }
}

/**
 * Docker's PrepareArchiveCopy: the directory to extract into, and the archive with its top
 * entry renamed so that extraction there gives the copy `cp` promises.
 */
export function prepareArchiveCopy(content: Readable, src: CopyInfo, dst: CopyInfo): { dstDir: string; content: Readable } {
  const { dir: dstDir, base: dstBase } = splitPathDirEntry(dst.path);
  let srcBase = splitPathDirEntry(src.path).base;
  if (dst.exists && dst.isDir) return { dstDir: dst.path, content };
  if (dst.exists && src.isDir) throw new InvalidArgumentError(ERR_CANNOT_COPY_DIR);
  if (!dst.exists && !src.isDir && (hasTrailingSeparator(dst.path) || specifiesCurrentDir(dst.path))) throw new InvalidArgumentError(ERR_DIR_NOT_EXISTS);
  if (src.rebaseName) srcBase = src.rebaseName;
  return { dstDir, content: rebaseTar(content, srcBase, dstBase) };
}
