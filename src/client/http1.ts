import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { ChunkedDecoder } from '../base/index.js';

/**
 * HTTP/1.1 to the daemon for requests whose body is in memory: the CLI's calls that do not
 * upload a stream or upgrade the connection. node's http pays several ms on its first request
 * (its client paths compile lazily); this client's code sits in the CLI's code cache.
 * Responses end by Content-Length, chunked coding or the connection's close.
 */

export type Http1Target = { socketPath: string } | { host: string; port: number };

/** A response: status and headers, and the body as a stream. */
export class Http1Response extends Readable {
  statusCode = 0;
  statusMessage = '';
  headers: IncomingHttpHeaders = {};
  constructor(readonly req: { path: string }, private readonly socket: { resume(): void; abandon(res: Http1Response): void }) {
    super();
  }

  override _read(): void {
    this.socket.resume();
  }

  /** A body left unread ends its connection: the bytes still due must not meet the next request. */
  override _destroy(e: Error | null, done: (e?: Error | null) => void): void {
    this.socket.abandon(this);
    done(e);
  }
}

const MAX_HEAD = 64 * 1024;

/** One connection, one request at a time; `onIdle` gets it back once a response is read whole. */
class Connection {
  private buf: Buffer = Buffer.alloc(0);
  private res: Http1Response | undefined;
  private resolveHead: ((r: Http1Response) => void) | undefined;
  private rejectHead: ((e: Error) => void) | undefined;
  /** Body framing: bytes still due, a chunked decoder, or 'close'. */
  private left: number | ChunkedDecoder | 'close' = 0;
  private keepAlive = true;

  constructor(readonly socket: Socket, private readonly onIdle: (c: Connection) => void) {
    socket.on('data', (d: Buffer) => this.data(d));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.closed());
  }

  /** The request's method was HEAD: its response has no body whatever its headers say. */
  private head = false;

  request(method: string, path: string, head: string, body: Buffer | undefined): Promise<Http1Response> {
    this.keepAlive = true;
    this.head = method === 'HEAD';
    this.buf = Buffer.alloc(0);
    this.res = new Http1Response({ path }, { resume: () => this.socket.resume(), abandon: (res) => this.abandon(res) });
    const done = new Promise<Http1Response>((resolve, reject) => {
      this.resolveHead = resolve;
      this.rejectHead = reject;
    });
    this.socket.write(body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : head);
    return done;
  }

  private data(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    if (this.resolveHead) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.buf.length > MAX_HEAD) this.fail(new Error('malformed HTTP response: header too long'));
        return;
      }
      const lines = this.buf.subarray(0, end).toString('latin1').split('\r\n');
      this.buf = this.buf.subarray(end + 4);
      const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0] ?? '');
      if (!m) return this.fail(new Error(`malformed HTTP response: ${JSON.stringify(lines[0])}`));
      const res = this.res!;
      res.statusCode = Number(m[1]);
      res.statusMessage = m[2]!;
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const k = line.slice(0, colon).trim().toLowerCase();
        const v = line.slice(colon + 1).trim();
        const prev = res.headers[k];
        res.headers[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : `${prev}, ${v}`;
      }
      const conn = String(res.headers.connection ?? '').toLowerCase();
      this.keepAlive = conn !== 'close';
      const te = String(res.headers['transfer-encoding'] ?? '').toLowerCase();
      const status = res.statusCode;
      if (this.head || status === 204 || status === 304 || (status >= 100 && status < 200)) this.left = 0;
      else if (te.includes('chunked')) this.left = new ChunkedDecoder();
      else if (res.headers['content-length'] !== undefined) this.left = Number(res.headers['content-length']);
      else {
        this.left = 'close';
        this.keepAlive = false;
      }
      const resolve = this.resolveHead;
      this.resolveHead = undefined;
      this.rejectHead = undefined;
      resolve(res);
    }
    this.body();
  }

  private body(): void {
    if (!this.res) return;
    if (this.left === 'close') {
      if (this.buf.length) this.push(this.buf);
      this.buf = Buffer.alloc(0);
    } else if (typeof this.left === 'number') {
      const n = Math.min(this.left, this.buf.length);
      if (n > 0) this.push(this.buf.subarray(0, n));
      this.buf = this.buf.subarray(n);
      this.left -= n;
      if (this.left === 0 && this.res) this.finish();
    } else {
      const chunked = this.left;
      this.buf = chunked.feed(this.buf, (b) => this.push(b));
      if (!this.res) return;
      if (chunked.invalid) this.fail(new Error('malformed HTTP response: bad chunked framing'));
      else if (chunked.done) this.finish();
    }
  }

  private abandon(res: Http1Response): void {
    if (this.res !== res) return;
    this.res = undefined;
    this.socket.destroy();
  }

  /** Stop: the request's signal fired. */
  abort(e: unknown): void {
    this.fail(e instanceof Error ? e : new Error(String(e)));
  }

  /** A reader may drop the response (or an abort end it) from its own 'data' handler, mid-chunk. */
  private push(b: Buffer): void {
    if (this.res && !this.res.push(b)) this.socket.pause();
  }

  private finish(): void {
    const res = this.res!;
    this.res = undefined;
    res.push(null);
    if (this.keepAlive && this.buf.length === 0) this.onIdle(this);
    else this.socket.destroy();
  }

  private fail(e: Error): void {
    this.socket.destroy();
    const res = this.res;
    if (this.rejectHead) this.rejectHead(e);
    // Its reader may not be listening yet (the head was handed over in this same read): the
    // error goes once the reader's continuations have run.
    else if (res) setImmediate(() => res.destroy(e));
    this.resolveHead = undefined;
    this.rejectHead = undefined;
    this.res = undefined;
  }

  private closed(): void {
    if (this.res && this.left === 'close' && !this.resolveHead) {
      const res = this.res;
      this.res = undefined;
      res.push(null);
      return;
    }
    if (this.resolveHead || this.res) this.fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
  }
}

/** Keep-alive connections to one daemon. */
export class Http1Client {
  private readonly idle: Connection[] = [];
  constructor(private readonly target: Http1Target, private readonly hostHeader: string) {}

  async request(r: { method: string; path: string; headers: OutgoingHttpHeaders; body?: string | Buffer; signal?: AbortSignal }): Promise<Http1Response> {
    r.signal?.throwIfAborted();
    const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
    let head = `${r.method} ${r.path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\n`;
    for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) head += `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}\r\n`;
    if (body || !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(r.method)) head += `Content-Length: ${body?.length ?? 0}\r\n`;
    head += 'Connection: keep-alive\r\n\r\n';
    const reused = this.reuse();
    try {
      return await this.exchange(reused ?? await this.connect(), r.method, r.path, head, body, r.signal);
    } catch (e) {
      // The daemon may have closed a kept-alive connection just as it was taken: try a new one.
      if (!reused || r.signal?.aborted || (e as { code?: string }).code !== 'ECONNRESET') throw e;
      return this.exchange(await this.connect(), r.method, r.path, head, body, r.signal);
    }
  }

  private async exchange(conn: Connection, method: string, path: string, head: string, body: Buffer | undefined, signal?: AbortSignal): Promise<Http1Response> {
    const onAbort = (): void => {
      conn.abort(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await conn.request(method, path, head, body);
      res.once('close', () => signal?.removeEventListener('abort', onAbort));
      res.once('end', () => signal?.removeEventListener('abort', onAbort));
      return res;
    } catch (e) {
      signal?.removeEventListener('abort', onAbort);
      throw signal?.aborted ? signal.reason : e;
    }
  }

  private reuse(): Connection | undefined {
    for (let c = this.idle.pop(); c; c = this.idle.pop()) {
      if (c.socket.destroyed) continue;
      c.socket.ref();
      return c;
    }
    return undefined;
  }

  private connect(): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = 'socketPath' in this.target ? connect(this.target.socketPath) : connect(this.target.port, this.target.host);
      socket.setNoDelay?.(true);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new Connection(socket, (c) => this.release(c)));
      });
    });
  }

  private release(c: Connection): void {
    if (c.socket.destroyed) return;
    c.socket.unref();
    this.idle.push(c);
  }

  close(): void {
    for (const c of this.idle.splice(0)) c.socket.destroy();
  }
}
