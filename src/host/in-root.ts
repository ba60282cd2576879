import { close, fstat, read } from 'node:fs';
import { promisify } from 'node:util';
import { errnoCode } from '../base/index.js';
import { ScopedDir } from './beneath.js';

const readAsync = promisify(read);
const fstatAsync = promisify(fstat);
const closeAsync = promisify(close);

// What openInRoot() says of a path that names no regular file inside the root.
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EINVAL', 'ELOOP', 'ENAMETOOLONG']);

/**
 * The first `maxBytes` of the regular file that `path` names inside `root` taken as "/" (a
 * container's rootfs), resolved and opened in one step by ScopedDir.openInRoot(): no symlink,
 * however it is swapped in, makes this read a host file. Undefined when nothing readable is
 * there (absent, not a regular file, a symlink loop).
 */
export async function readFileInRoot(root: string, path: string, opts: { maxBytes: number }): Promise<Buffer | undefined> {
  const dir = ScopedDir.open(root);
  let fd: number;
  try {
    fd = dir.openInRoot(path);
  } catch (e) {
    if (ABSENT.has(errnoCode(e) ?? '')) return undefined;
    throw e;
  } finally {
    dir.close();
  }
  try {
    const size = (await fstatAsync(fd)).size;
    const buf = Buffer.alloc(Math.min(size, opts.maxBytes));
    let off = 0;
    while (off < buf.length) {
      const { bytesRead: n } = await readAsync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    await closeAsync(fd);
  }
}

/** `mkdir -p` of `path` inside `root` taken as "/", as ScopedDir.mkdirInRoot() does it. */
export function mkdirInRoot(root: string, path: string, o: { mode: number; uid: number; gid: number }): void {
  const dir = ScopedDir.open(root);
  try {
    dir.mkdirInRoot(path, o);
  } finally {
    dir.close();
  }
}
