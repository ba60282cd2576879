import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '../base/index.js';

/** Stream ids of the 8-byte frame header of attach and logs without a TTY. */
export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
/** Docker sends daemon-side failures mid-stream on this id. */
export const SYSTEMERR = 3;

export interface StdFrame {
  readonly stream: number;
  readonly data: Buffer;
}

const HEADER = 8;

/**
 * Incremental parser of the multiplexed stream: `[id, 0, 0, 0, size(uint32 BE)]` then
 * `size` bytes. Feed it chunks as they arrive; it returns the frames completed so far.
 */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): StdFrame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: StdFrame[] = [];
    while (this.buf.length >= HEADER) {
      const stream = this.buf[0]!;
      if (stream > SYSTEMERR) throw new InvalidArgumentError(`Unrecognized input header: ${stream}`);
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < HEADER + size) break;
      out.push({ stream, data: this.buf.subarray(HEADER, HEADER + size) });
      this.buf = this.buf.subarray(HEADER + size);
    }
    return out;
  }

  /** Bytes of an incomplete frame left over (non-zero at EOF means a truncated stream). */
  get pending(): number {
    return this.buf.length;
  }
}

/** Iterate the frames of a multiplexed stream. */
export async function* readFrames(src: AsyncIterable<Buffer | string>): AsyncGenerator<StdFrame> {
  const p = new FrameParser();
  for await (const chunk of src) {
    yield* p.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
}

/** Encode one frame; used by tests and by servers. */
export function encodeFrame(stream: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const h = Buffer.alloc(HEADER);
  h[0] = stream;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
}

function write(w: NodeJS.WritableStream, data: Buffer): Promise<void> | void {
  if (w.write(data)) return;
  return new Promise((resolve) => w.once('drain', resolve));
}

/**
 * Copy a multiplexed stream to `stdout` and `stderr` (docker's StdCopy), honouring
 * back-pressure. A SYSTEMERR frame ends the copy with an error carrying its text.
 */
export async function demuxStream(src: Readable | AsyncIterable<Buffer>, stdout: NodeJS.WritableStream | null, stderr: NodeJS.WritableStream | null): Promise<void> {
  for await (const f of readFrames(src as AsyncIterable<Buffer>)) {
    if (f.stream === SYSTEMERR) throw new Error(`error from daemon in stream: ${f.data.toString()}`);
    const target = f.stream === STDERR ? stderr : stdout;
    if (target) await write(target, f.data);
  }
}
