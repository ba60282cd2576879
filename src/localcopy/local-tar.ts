import type { Readable } from 'node:stream';
import { getgid, getuid } from 'node:process';
import { ScopedDir } from '../host/index.js';
import { extractTar, tarOfPath } from '../image/archive/index.js';
import { splitPathDirEntry, type CopyInfo } from './copy-info.js';

/** Docker's TarResource: the source path as a tar, its top entry named by its base (or rebaseName). */
export function tarResource(src: CopyInfo): Readable {
  let { dir, base } = splitPathDirEntry(src.path);
  if (base === '.') {
    // "dir/.": the directory itself at the top, named "."
    const up = splitPathDirEntry(dir);
    if (up.base !== '/') return tarOfPath({ root: up.dir, under: up.base, name: src.rebaseName || '.' });
    dir = '/';
    base = '';
  }
  return tarOfPath({ root: dir, under: base, name: src.rebaseName || base || '.' });
}

/**
 * Docker's Untar with NoOverwriteDirNonDir into a local directory: nothing is written outside
 * `dstDir` whatever the archive (from a container: hostile) holds. Without `keepOwners` the
 * files belong to the user running the copy (Docker's NoLchown); with it, to the archive's ids.
 */
export async function untarTo(content: Readable, dstDir: string, opts: { keepOwners: boolean }): Promise<void> {
  const dir = ScopedDir.open(dstDir);
  try {
    await extractTar(content, {
      dir, base: '', noOverwriteDirNonDir: true,
      ...(opts.keepOwners ? {} : { owner: { uid: getuid?.() ?? 0, gid: getgid?.() ?? 0 } }),
    });
  } finally {
    dir.close();
  }
}
