import type { ScopedStat } from '../../host/index.js';
import type { Readable } from 'node:stream';
import { walkTree } from './tree-walk.js';
import { writeTar } from './tar-writer.js';

/**
 * A tar of a whole directory tree (for `docker export` of a mounted rootfs and for
 * building images from a directory). `exclude` skips entries and their subtrees.
 */
export function tarTree(opts: { root: string; exclude?: (rel: string, st: ScopedStat) => boolean; signal?: AbortSignal }): Readable {
  return writeTar(walkTree({ root: opts.root, exclude: opts.exclude, signal: opts.signal }), { signal: opts.signal });
}
