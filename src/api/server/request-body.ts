import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { ChunkedDecoder, InvalidArgumentError } from '../../base/index.js';

/**
 * The body of an upgraded request, read off the hijacked socket (Node leaves it there): what
 * `POST /exec/{id}/start` sends its options in (Tty, ConsoleSize). Content-Length framing only;
 * undefined for a chunked body, which the pump's RequestBodySkipper then drops. What follows the
 * body stays on the socket for stdin.
 */
export function readUpgradedBody(sock: Duplex, headers: IncomingHttpHeaders, max: number): Promise<string | undefined> {
  if (/\bchunked\b/i.test(String(headers['transfer-encoding'] ?? ''))) return Promise.resolve(undefined);
  const len = Number(headers['content-length'] ?? 0);
  if (!Number.isSafeInteger(len) || len <= 0) return Promise.resolve('');
  if (len > max) return Promise.reject(new InvalidArgumentError('request body is too large'));
  return new Promise((resolve, reject) => {
    const done = (): void => {
      sock.off('readable', attempt);
      sock.off('end', ended);
      sock.off('close', ended);
    };
    const attempt = (): void => {
      const b = sock.read(len) as Buffer | null;
      if (b === null) return;
      done();
      resolve(b.toString('utf8'));
    };
    const ended = (): void => {
      done();
      reject(new InvalidArgumentError('unexpected EOF while reading the request body'));
    };
    sock.on('readable', attempt);
    sock.once('end', ended);
    sock.once('close', ended);
    attempt();
  });
}

/**
 * Drops the HTTP body of an upgraded request from the start of the hijacked stream
 * (Content-Length or chunked framing): dockerd never reads an attach request's body, and
 * clients such as dockerode send their options there. Only what follows is stdin.
 */
export class RequestBodySkipper {
  private remaining: number;
  private readonly chunked: ChunkedDecoder | undefined;

  constructor(headers: IncomingHttpHeaders) {
    this.chunked = /\bchunked\b/i.test(String(headers['transfer-encoding'] ?? '')) ? new ChunkedDecoder() : undefined;
    const len = Number(headers['content-length'] ?? 0);
    this.remaining = this.chunked || !Number.isSafeInteger(len) || len < 0 ? 0 : len;
  }

  /** What of `chunk` lies after the body (bytes that are not chunked framing after all are kept). */
  feed(chunk: Buffer): Buffer {
    if (this.chunked) return this.chunked.feed(chunk);
    const skip = Math.min(this.remaining, chunk.length);
    this.remaining -= skip;
    return skip === 0 ? chunk : chunk.subarray(skip);
  }
}
