import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { DEFAULT_DETACH_KEYS, DetachScanner, InvalidArgumentError, boolParam, parseDetachKeys } from '../../base/index.js';
import type { ContainerService } from '../../container/index.js';
import { compareVersions, type RequestContext } from '../server/index.js';
import { frame } from './stream-frames.js';

export type AttachBackend = Pick<ContainerService, 'get' | 'attach' | 'logs'>;

/** A `detachKeys` value as bytes, the default for an empty one; refused in dockerd's words. */
export function detachKeysParam(spec: string): number[] {
  if (spec === '') return [...DEFAULT_DETACH_KEYS];
  try {
    return parseDetachKeys(spec);
  } catch {
    throw new InvalidArgumentError(`Invalid detach keys (${spec}) provided`);
  }
}

/**
 * Drops the HTTP body of an upgraded request from the start of the hijacked stream
 * (Content-Length or chunked framing): dockerd never reads an attach request's body, and
 * clients such as dockerode send their options there. Only what follows is stdin.
 */
export class RequestBodySkipper {
  private remaining: number;
  private chunked: boolean;
  // Chunked framing state: reading a size line, chunk data, the CRLF after data, or trailers.
  private phase: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size';
  private line = '';

  constructor(headers: IncomingHttpHeaders) {
    this.chunked = /\bchunked\b/i.test(String(headers['transfer-encoding'] ?? ''));
    const len = Number(headers['content-length'] ?? 0);
    this.remaining = this.chunked || !Number.isSafeInteger(len) || len < 0 ? 0 : len;
    if (!this.chunked) this.phase = 'done';
  }

  /** What of `chunk` lies after the body. */
  feed(chunk: Buffer): Buffer {
    let i = 0;
    if (!this.chunked) {
      const skip = Math.min(this.remaining, chunk.length);
      this.remaining -= skip;
      return skip === 0 ? chunk : chunk.subarray(skip);
    }
    while (i < chunk.length && this.phase !== 'done') {
      if (this.phase === 'data') {
        const skip = Math.min(this.remaining, chunk.length - i);
        i += skip;
        this.remaining -= skip;
        if (this.remaining === 0) this.phase = 'data-end';
        continue;
      }
      const nl = chunk.indexOf(0x0a, i);
      if (nl < 0) {
        this.line += chunk.subarray(i).toString('latin1');
        if (this.line.length > 4096) this.phase = 'done'; // not chunked framing after all: stop skipping
        return Buffer.alloc(0);
      }
      const line = (this.line + chunk.subarray(i, nl).toString('latin1')).replace(/\r$/, '');
      this.line = '';
      i = nl + 1;
      if (this.phase === 'size') {
        const size = parseInt(line.split(';')[0]!.trim(), 16);
        if (!Number.isFinite(size) || size < 0) this.phase = 'done';
        else if (size === 0) this.phase = 'trailer';
        else { this.remaining = size; this.phase = 'data'; }
      } else if (this.phase === 'data-end') {
        this.phase = 'size';
      } else if (line === '') {
        this.phase = 'done';
      }
    }
    return chunk.subarray(i);
  }
}

interface Streams {
  stdout: Readable;
  stderr: Readable;
  stdin?: NodeJS.WritableStream;
  close(): void;
}

/**
 * POST /containers/{id}/attach, as dockerd serves it: `logs` replays what the container
 * wrote, `stream` follows it live (a stopped container from its next start), and the
 * connection ends when both are done. On a TTY the detach keys end the attach and leave
 * the container running.
 */
export async function serveAttach(ctx: RequestContext, c: AttachBackend): Promise<void> {
  const q = ctx.query;
  const keys = detachKeysParam(q.get('detachKeys') ?? '');
  const wantStdout = boolParam(q.get('stdout'));
  const wantStderr = boolParam(q.get('stderr'));
  const logs = boolParam(q.get('logs'));
  const stream = boolParam(q.get('stream'));
  const rec0 = c.get(ctx.params.id!);
  const tty = rec0.config.Tty;
  const stdin = boolParam(q.get('stdin')) && rec0.config.OpenStdin && stream;
  const multiplexed = !tty && ctx.res === undefined && compareVersions(ctx.version, '1.42') >= 0;
  // Answer first: the client starts the container only once the attach is established.
  const sock = ctx.hijack(multiplexed ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream');
  sock.on('error', () => sock.destroy());
  const abort = new AbortController();
  sock.once('close', () => abort.abort());
  // The client may be gone already: its 'close' has passed, and nothing else would end this attach.
  if (sock.destroyed) abort.abort();
  // Registered before anything is awaited, so a start that follows misses no output.
  const attached = stream ? c.attach(rec0.id, { stdin, signal: abort.signal }) : undefined;
  attached?.catch(() => {});
  const out = (id: 1 | 2, b: Buffer): boolean => (sock.writable ? sock.write(tty ? b : frame(id, b)) : true);
  if (logs && (wantStdout || wantStderr)) {
    try {
      for await (const e of c.logs(rec0.id, { follow: false, stdout: wantStdout, stderr: wantStderr, signal: abort.signal })) {
        if (!out(e.stream === 'stdout' ? 1 : 2, e.line)) await drained(sock, abort.signal);
        if (abort.signal.aborted) break;
      }
    } catch {
      sock.destroy();
      return;
    }
  }
  if (!attached) {
    sock.end();
    return;
  }
  let streams: Streams;
  try {
    ({ streams } = await attached);
  } catch {
    sock.destroy();
    return;
  }
  pump(sock, streams, {
    tty, stdout: wantStdout, stderr: wantStderr, stdin, stdinOnce: rec0.config.StdinOnce,
    body: ctx.res === undefined ? new RequestBodySkipper(ctx.req.headers) : undefined,
    detach: tty ? new DetachScanner(keys) : undefined,
  });
}

function drained(sock: Duplex, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => { sock.off('drain', done); signal.removeEventListener('abort', done); resolve(); };
    sock.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Copy container output to the client (framed unless TTY) and client input to the container. */
function pump(sock: Duplex, s: Streams, o: {
  tty: boolean; stdout: boolean; stderr: boolean; stdin: boolean; stdinOnce: boolean;
  body: RequestBodySkipper | undefined; detach: DetachScanner | undefined;
}): void {
  // The client may have gone while the attachment was made: its 'close' has passed.
  if (sock.destroyed) { s.close(); return; }
  let open = 2;
  const finish = (): void => {
    s.close();
    if (sock.writable) sock.end();
  };
  const done = (): void => { if (--open === 0) finish(); };
  const forward = (src: Readable, id: 1 | 2, wanted: boolean): void => {
    src.on('data', (b: Buffer) => { if (wanted && sock.writable) sock.write(o.tty ? b : frame(id, b)); });
    src.once('end', done);
    src.once('error', done);
  };
  forward(s.stdout, 1, o.stdout);
  forward(s.stderr, 2, o.stderr);
  if (o.stdin && s.stdin) {
    const stdin = s.stdin;
    // The container's stdin can close under a writing client (the process exited): an abort, not a crash.
    (stdin as NodeJS.WritableStream & NodeJS.EventEmitter).on('error', () => s.close());
    const onData = (raw: Buffer): void => {
      const b = o.body ? o.body.feed(raw) : raw;
      if (b.length === 0) return;
      if (o.detach) {
        const r = o.detach.feed(b);
        if (r.forward.length) stdin.write(r.forward);
        if (r.detach) {
          sock.off('data', onData);
          finish();
        }
        return;
      }
      stdin.write(b);
    };
    sock.on('data', onData);
    // The client's end of stdin: as dockerd, close the container's stdin for a non-TTY
    // StdinOnce container; otherwise the attach ends and the container keeps its stdin.
    sock.once('end', () => {
      if (o.stdinOnce && !o.tty) stdin.end();
      else finish();
    });
  } else {
    // Nothing is read from the client, but its bytes must still be consumed.
    sock.on('data', () => {});
  }
  sock.once('close', () => s.close());
  sock.on('error', () => s.close());
}
