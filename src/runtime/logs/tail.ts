import type { FileHandle } from 'node:fs/promises';
import { parseK8sLine, type LogStream } from './k8s-line.js';

const NL = 0x0a;

/**
 * The offset from which a forward read yields at least the last `n` whole lines of the wanted
 * streams, found by reading the file backwards in chunks (cost ~ size of the tail, not the file).
 * After the n-th F line from the end it goes on until every wanted stream shows an earlier F
 * line, so no fragment (P) of a wanted line lies before the offset; a stream whose nearest earlier
 * line is a fragment is followed to its F line however far, a stream not seen at all is looked for
 * only `lookback` bytes further (a rare stream would otherwise cost a scan of the whole file).
 * The caller keeps the last n. Bytes after the last newline (a line being written) are left to the
 * forward read.
 */
export async function findTailStart(fh: FileHandle, opts: {
  size: number; n: number; want: (s: LogStream) => boolean; chunkSize?: number; lookback?: number;
}): Promise<number> {
  const chunkSize = opts.chunkSize ?? 64 * 1024;
  const lookback = opts.lookback ?? 1024 * 1024;
  let boundaryFrom = 0; // offset of the n-th F line from the end
  const open = new Set<LogStream>();
  const streams = (['stdout', 'stderr'] as const).filter(opts.want);
  let count = 0;
  let boundaries: Set<LogStream> | undefined;

  // buf holds the file bytes [pos, limit): limit is the end of the next line to visit (after its newline).
  let pos = opts.size;
  let buf = Buffer.alloc(0);
  let limit = -1;
  for (;;) {
    const from = limit < 0 ? buf.length - 1 : limit - pos - 2;
    const nl = from >= 0 ? buf.lastIndexOf(NL, from) : -1;
    if (limit < 0) {
      // Still looking for the file's last newline.
      if (nl >= 0) {
        limit = pos + nl + 1;
        if (opts.n <= 0) return limit;
        buf = buf.subarray(0, nl + 1);
        continue;
      }
    } else if (nl >= 0 || pos === 0) {
      const start = nl + 1;
      if (visit(buf.subarray(start, limit - pos - 1), pos + start)) return pos + start;
      if (pos + start === 0) return 0;
      limit = pos + start;
      buf = buf.subarray(0, start);
      continue;
    }
    if (pos === 0) return 0;
    const len = Math.min(chunkSize, pos);
    pos -= len;
    const chunk = Buffer.alloc(len);
    await readFully(fh, chunk, pos);
    buf = Buffer.concat([chunk, buf]);
  }

  function visit(line: Buffer, offset: number): boolean {
    const l = parseK8sLine(line);
    if (!l || !opts.want(l.stream)) return false;
    if (!boundaries) {
      if (!l.partial && ++count === opts.n) {
        boundaries = new Set(streams);
        boundaryFrom = offset;
      }
      return false;
    }
    if (boundaries.has(l.stream)) {
      if (l.partial) {
        open.add(l.stream);
      } else {
        boundaries.delete(l.stream);
        open.delete(l.stream);
      }
    }
    return boundaries.size === 0 || (open.size === 0 && boundaryFrom - offset > lookback);
  }
}

async function readFully(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesRead } = await fh.read(buf, off, buf.length - off, position + off);
    if (bytesRead === 0) throw new Error(`Cannot read log file: it ended before offset ${position + off}`);
    off += bytesRead;
  }
}
