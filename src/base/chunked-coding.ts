/**
 * HTTP/1.1's chunked transfer coding, decoded as bytes arrive: size lines (extensions ignored),
 * chunk data, the line after each chunk, then trailers up to an empty line. Used where berth
 * reads HTTP framing off a raw socket: the API server skipping an upgraded request's body, the
 * CLI's own client reading a reply.
 */
export class ChunkedDecoder {
  // Reading a size line, chunk data, the line ending a chunk, trailers; then done, or invalid.
  private phase: 'size' | 'data' | 'data-end' | 'trailer' | 'done' | 'invalid' = 'size';
  private remaining = 0;
  private line = '';

  /** The last chunk and the trailers were read. */
  get done(): boolean {
    return this.phase === 'done';
  }

  /** The bytes were not chunked framing (a size that is no number, a line over 4 KiB): decoding stopped. */
  get invalid(): boolean {
    return this.phase === 'invalid';
  }

  /**
   * Decode `chunk`, handing each run of body bytes to `data`. Returns what of `chunk` lies after
   * the body once it is done, or after the point where decoding stopped as invalid; empty before.
   */
  feed(chunk: Buffer, data: (b: Buffer) => void = () => {}): Buffer {
    let i = 0;
    while (i < chunk.length && this.phase !== 'done' && this.phase !== 'invalid') {
      if (this.phase === 'data') {
        const take = Math.min(this.remaining, chunk.length - i);
        if (take > 0) data(chunk.subarray(i, i + take));
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.phase = 'data-end';
        continue;
      }
      const nl = chunk.indexOf(0x0a, i);
      if (nl < 0) {
        this.line += chunk.subarray(i).toString('latin1');
        if (this.line.length > 4096) this.phase = 'invalid';
        return Buffer.alloc(0);
      }
      const line = (this.line + chunk.subarray(i, nl).toString('latin1')).replace(/\r$/, '');
      this.line = '';
      i = nl + 1;
      if (this.phase === 'size') {
        const size = parseInt(line.split(';')[0]!.trim(), 16);
        if (!Number.isFinite(size) || size < 0) this.phase = 'invalid';
        else if (size === 0) this.phase = 'trailer';
        else {
          this.remaining = size;
          this.phase = 'data';
        }
      } else if (this.phase === 'data-end') {
        this.phase = 'size';
      } else if (line === '') {
        this.phase = 'done';
      }
    }
    return chunk.subarray(i);
  }
}
