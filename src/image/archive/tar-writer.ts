import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { encodeHeader, END_OF_ARCHIVE, paddingFor, type TarHeader } from './tar-header.js';

/** One entry to write: a header and, for regular files, exactly `header.size` bytes of body. */
export interface TarWriteEntry {
  header: TarHeader;
  /** A file to stream the body from, or bytes, or a chunk source. */
  body?: string | Uint8Array | AsyncIterable<Uint8Array>;
}

/**
 * Produce a tar stream from entries, pulling bodies lazily so that back-pressure reaches
 * the file reads. A body shorter or longer than its header size is an error (the archive
 * would be corrupt otherwise).
 */
export function writeTar(entries: AsyncIterable<TarWriteEntry> | Iterable<TarWriteEntry>, opts: { signal?: AbortSignal } = {}): Readable {
  return Readable.from(tarChunks(entries, opts.signal), { objectMode: false, highWaterMark: 1 << 16 });
}

async function* tarChunks(entries: AsyncIterable<TarWriteEntry> | Iterable<TarWriteEntry>, signal?: AbortSignal): AsyncGenerator<Buffer> {
  for await (const e of entries) {
    signal?.throwIfAborted();
    yield encodeHeader(e.header);
    if (e.header.type !== 'file' || e.header.size === 0) continue;
    let written = 0;
    const body = e.body;
    if (body === undefined) throw new Error(`tar entry "${e.header.name}" has no body`);
    const source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> =
      typeof body === 'string' ? createReadStream(body, { highWaterMark: 1 << 16 }) : body instanceof Uint8Array ? [body] : body;
    for await (const chunk of source) {
      written += chunk.length;
      if (written > e.header.size) throw new Error(`tar entry "${e.header.name}" is longer than its header size ${e.header.size}`);
      yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    }
    if (written !== e.header.size) throw new Error(`tar entry "${e.header.name}" changed size while archiving (${written} of ${e.header.size} bytes)`);
    const pad = paddingFor(written);
    if (pad) yield Buffer.alloc(pad);
  }
  yield END_OF_ARCHIVE;
}
