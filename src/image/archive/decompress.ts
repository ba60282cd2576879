import { PassThrough, Readable, pipeline, type Duplex } from 'node:stream';
import { InternalError, InvalidArgumentError } from '../../base/index.js';
import { createGunzip } from 'node:zlib';
import { spawnFilter } from '../../host/index.js';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

/** Identify a compression format by its magic bytes, as Docker's DecompressStream does. */
export function detectCompression(head: Uint8Array): Compression {
  const b = head;
  if (b.length >= 3 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 0x08) return 'gzip';
  if (b.length >= 3 && b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68) return 'bzip2';
  if (b.length >= 6 && b[0] === 0xfd && b[1] === 0x37 && b[2] === 0x7a && b[3] === 0x58 && b[4] === 0x5a && b[5] === 0x00) return 'xz';
  if (b.length >= 4 && b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return 'zstd';
  return 'none';
}

function decompressor(c: Exclude<Compression, 'none'>, signal?: AbortSignal): Duplex {
  switch (c) {
    case 'gzip': return createGunzip({ chunkSize: 1 << 16 });
    case 'bzip2': return spawnFilter('bzip2', ['-dc'], { signal });
    case 'xz': return spawnFilter('xz', ['-dc'], { signal });
    case 'zstd': return spawnFilter('zstd', ['-dc', '-q'], { signal });
  }
}

/**
 * Peek at the first bytes of `src` and return a stream of its decompressed content
 * (plain input passes through). gzip is decoded in-process; bzip2, xz and zstd by the
 * host's tools.
 */
export async function decompressStream(src: AsyncIterable<Buffer>, opts: { signal?: AbortSignal } = {}): Promise<{ stream: Readable; compression: Compression }> {
  const it = src[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let len = 0;
  let ended = false;
  while (len < 6) {
    const r = await it.next();
    if (r.done) { ended = true; break; }
    head.push(r.value);
    len += r.value.length;
  }
  const compression = detectCompression(Buffer.concat(head).subarray(0, 6));
  const whole = Readable.from((async function* () {
    yield* head;
    if (ended) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  })(), { objectMode: false });
  if (compression === 'none') return { stream: whole, compression };
  const d = decompressor(compression, opts.signal);
  pipeline(whole, d, () => { /* errors surface on d, which the caller reads */ });
  if (compression === 'gzip') return { stream: d, compression };
  // a decompressor that exits non-zero was given corrupt input: the client's error (400), not ours
  const out = new PassThrough({ highWaterMark: 1 << 16 });
  d.on('error', (e) => {
    out.destroy(e instanceof InternalError && / failed \(exit \d+\)/.test(e.message) ? new InvalidArgumentError(`Cannot decompress ${compression} input: ${e.message}`, { cause: e }) : e);
  });
  out.on('close', () => d.destroy());
  d.pipe(out);
  return { stream: out, compression };
}
