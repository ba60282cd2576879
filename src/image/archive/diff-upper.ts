import type { Readable } from 'node:stream';
import { walkTree, type WalkOptions } from './tree-walk.js';
import { writeTar } from './tar-writer.js';
import { OVERLAY_OPAQUE_XATTR, WHITEOUT_OPAQUE, WHITEOUT_PREFIX } from './apply-layer.js';

/**
 * The layer tar of an overlay upper directory, with overlay whiteouts turned back into
 * OCI ones: a 0:0 character device becomes `.wh.<name>`, an opaque directory is followed
 * by its `.wh..wh..opq` marker (the same conversion as Docker's overlay2 driver).
 * `exclude` leaves entries (and their subtrees) out.
 */
export function diffUpper(opts: { upper: string; exclude?: WalkOptions['exclude']; signal?: AbortSignal }): Readable {
  const entries = walkTree({
    root: opts.upper,
    exclude: opts.exclude,
    signal: opts.signal,
    map: (e, st, xattrs) => {
      const h = e.header;
      if (h.type === 'char' && st.rdev === 0) {
        const slash = h.name.lastIndexOf('/');
        const name = `${h.name.slice(0, slash + 1)}${WHITEOUT_PREFIX}${h.name.slice(slash + 1)}`;
        return [{ header: { ...h, name, type: 'file', mode: 0o600, size: 0, devmajor: undefined, devminor: undefined, xattrs: undefined } }];
      }
      if (h.type === 'directory' && xattrs?.get(OVERLAY_OPAQUE_XATTR)?.toString() === 'y') {
        return [e, { header: { ...h, name: `${h.name}${WHITEOUT_OPAQUE}`, type: 'file', mode: h.mode & 0o777, size: 0, xattrs: undefined } }];
      }
      return [e];
    },
  });
  return writeTar(entries, { signal: opts.signal });
}
