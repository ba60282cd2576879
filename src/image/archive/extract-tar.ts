import type { Readable } from 'node:stream';
import type { ScopedDir } from '../../host/index.js';
import { Extractor, mapStreamError, type ExtractOptions } from './apply-layer.js';
import { decompressStream } from './decompress.js';
import { readTar } from './tar-reader.js';

/**
 * Unpack an archive (plain or compressed) into the directory `base` below `dir`'s root, as
 * `docker cp` does (Docker's Untar): names are taken below `base` whatever they say (`../`
 * and absolute names cannot leave it), links that climb out of it are refused, parents are
 * resolved without ever leaving the root, and every write is fd-relative with symlinks
 * forbidden, so no symlink in the archive or already in the tree leads a write outside.
 * `dir` stays the caller's to close.
 */
export async function extractTar(src: Readable | AsyncIterable<Buffer>, opts: Omit<ExtractOptions, 'layer'> & { dir: ScopedDir; signal?: AbortSignal }): Promise<void> {
  const { signal } = opts;
  signal?.throwIfAborted();
  const { stream } = await decompressStream(src, { signal });
  const x = new Extractor(opts.dir, { layer: false, base: opts.base ?? '', noOverwriteDirNonDir: opts.noOverwriteDirNonDir, owner: opts.owner });
  try {
    for await (const entry of readTar(stream as AsyncIterable<Buffer>)) {
      signal?.throwIfAborted();
      await x.apply(entry);
    }
    x.finish();
  } catch (e) {
    stream.destroy();
    if (signal?.aborted) throw signal.reason;
    throw mapStreamError(e);
  }
}
