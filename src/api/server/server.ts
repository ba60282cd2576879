import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, isEngineError, type Logger } from '../../base/index.js';
import { messageOf, publicMessageOf, statusOf } from './errors.js';
import type { Reply, RequestContext, Router, StreamBody } from './router.js';
import { readUpgradedBody, RequestBodySkipper } from './request-body.js';
import { frame } from './stream-frames.js';
import { pumpStreams } from './stream-pump.js';
import { cleanPathRedirect, parseRequestTarget } from './target.js';
import { compareVersions, splitVersion } from './version.js';

export interface ApiServerOptions {
  router: Router;
  apiVersion: string;
  minApiVersion: string;
  serverHeader: string;
  log: Logger;
  /** Called for every request, e.g. to know when the daemon is idle. */
  onRequest?: () => void;
}

const MAX_JSON_BODY = 16 * 1024 * 1024;

/** The Engine API's HTTP edge: versioned paths, Docker's error bodies, streams and hijack. */
export class ApiServer {
  readonly servers: Server[] = [];
  /** Upgraded connections: the HTTP server no longer tracks them, close() must cut them. */
  private readonly upgraded = new Set<Duplex>();

  constructor(private readonly opts: ApiServerOptions) {}

  /** A new HTTP server bound to this API; one per listening address. */
  createHttpServer(): Server {
    const http = createServer({ keepAlive: true });
    // The error boundary: nothing a client sends or does to its connection may end the process.
    http.on('request', (req, res) => {
      this.dispatch(req, res, undefined).catch((e: unknown) => this.lastResort(e, req, req.socket));
    });
    http.on('upgrade', (req, socket: Duplex, head: Buffer) => {
      // Node hands over an upgraded socket without its own 'error' listener: a reset would be uncaught.
      socket.on('error', (e) => this.opts.log.debug('upgraded connection failed', { error: messageOf(e) }));
      this.upgraded.add(socket);
      socket.once('close', () => this.upgraded.delete(socket));
      if (head.length > 0) socket.unshift(head);
      this.dispatch(req, undefined, socket).catch((e: unknown) => this.lastResort(e, req, socket));
    });
    http.on('clientError', (e: NodeJS.ErrnoException, socket: Duplex) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE' || !socket.writable) {
        socket.destroy();
        return;
      }
      const status = e.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : e.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${status}`);
    });
    this.servers.push(http);
    return http;
  }

  /** Stop accepting connections; open streams are cut. */
  async close(): Promise<void> {
    for (const s of this.upgraded) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => {
      s.close(() => r());
      s.closeAllConnections();
    })));
  }

  /** A failure outside a request's own handling (a bug): log it and cut that connection only. */
  private lastResort(e: unknown, req: IncomingMessage, conn: Duplex): void {
    this.opts.log.error('request failed outside its error handling', { method: req.method, url: req.url, error: messageOf(e), stack: (e as Error)?.stack });
    conn.destroy();
  }

  private headers(): Record<string, string> {
    return { 'Api-Version': this.opts.apiVersion, Server: this.opts.serverHeader, Ostype: 'linux' };
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse | undefined, socket: Duplex | undefined): Promise<void> {
    const started = process.hrtime.bigint();
    this.opts.onRequest?.();
    const rawUrl = req.url ?? '/';
    let path = rawUrl;
    let version: string | undefined;
    const abort = new AbortController();
    const conn = socket ?? req.socket;
    // A connection that closes after the whole response went out is no client going away:
    // a stream's writer still finishing its own bookkeeping is not aborted by it.
    const onClose = (): void => { if (!res?.writableFinished) abort.abort(); };
    const onError = (e: Error): void => {
      this.opts.log.debug('connection error', { error: messageOf(e) });
      abort.abort();
    };
    conn.once('close', onClose);
    res?.once('close', onClose);
    // A client can be gone before its request is dispatched: no 'close' will come for it then.
    if (conn.destroyed) abort.abort();
    // Streams of this request get listeners, so that a client going away is an abort, never an uncaught 'error'.
    req.on('error', onError);
    res?.on('error', onError);
    let hijacked = false;
    const ctx: RequestContext = {
      req,
      upgraded: socket !== undefined,
      params: {},
      query: new URLSearchParams(),
      version: this.opts.apiVersion,
      signal: abort.signal,
      body: <T>(decode?: (text: string) => T) => (socket ? readUpgraded<T>(ctx, socket, decode) : decode ? readText(req).then(decode) : readJson<T>(req)),
    };
    try {
      const target = parseRequestTarget(rawUrl);
      const redirect = cleanPathRedirect(target.rawPath);
      if (redirect !== undefined) {
        const q = rawUrl.indexOf('?');
        const location = q < 0 ? redirect : redirect + rawUrl.slice(q);
        await this.send(ctx, res, socket, { kind: 'empty', status: 301, headers: { Location: location } });
        return;
      }
      ({ version, path } = splitVersion(target.rawPath));
      ctx.query = target.query;
      ctx.version = version ?? this.opts.apiVersion;
      if (version !== undefined) this.checkVersion(version);
      const found = this.opts.router.match(req.method ?? 'GET', path);
      if (found === undefined || found === 'method') {
        await this.send(ctx, res, socket, { kind: 'json', status: 404, body: { message: 'page not found' } });
        return;
      }
      ctx.params = found.params;
      const reply = await found.handler(ctx);
      if (reply.kind === 'upgrade') {
        hijacked = true;
        await this.serveUpgrade(ctx, socket ?? req.socket, reply);
      } else {
        await this.send(ctx, res, socket, reply);
      }
    } catch (e) {
      const status = statusOf(e);
      if (status >= 500) this.opts.log.error('request failed', { method: req.method, path, error: messageOf(e), stack: (e as Error)?.stack });
      if (hijacked) {
        conn.destroy();
      } else if (res?.headersSent) {
        res.destroy();
      } else {
        await this.send(ctx, res, socket, { kind: 'json', status, body: { message: publicMessageOf(e) } }).catch(() => conn.destroy());
      }
    } finally {
      conn.off('close', onClose);
      this.opts.log.debug('request', { method: req.method, path, ms: Number(process.hrtime.bigint() - started) / 1e6 });
    }
  }

  private checkVersion(v: string): void {
    if (compareVersions(v, this.opts.minApiVersion) < 0) {
      throw new InvalidArgumentError(`client version ${v} is too old. Minimum supported API version is ${this.opts.minApiVersion}, please upgrade your client to a newer version`);
    }
    if (compareVersions(v, this.opts.apiVersion) > 0) {
      throw new InvalidArgumentError(`client version ${v} is too new. Maximum supported API version is ${this.opts.apiVersion}`);
    }
  }

  /**
   * Answer with the stream's head, then hand the connection to the handler. Nothing is awaited
   * between the two: what the handler registers first (an attach) is in place before the
   * client, which waits for the head, can send its next request (the start).
   */
  private async serveUpgrade(ctx: RequestContext, sock: Duplex, reply: Extract<Reply, { kind: 'upgrade' }>): Promise<void> {
    sock.on('error', () => sock.destroy());
    const head = ctx.upgraded
      ? `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${reply.contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n`
      : `HTTP/1.1 200 OK\r\nContent-Type: ${reply.contentType}\r\n`;
    const extra = Object.entries(this.headers()).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    sock.write(`${head}${extra}\r\n`);
    const signal = ctx.signal;
    const body = ctx.upgraded && !bodyRead.has(ctx) ? new RequestBodySkipper(ctx.req.headers) : undefined;
    await reply.serve({
      signal,
      write: async (stream, data) => {
        if (!sock.writable) return;
        if (!sock.write(reply.tty ? data : frame(stream, data))) await onceDrain(sock, signal);
      },
      pump: (stdio, opts) => pumpStreams(sock, stdio, { ...opts, tty: reply.tty, body }),
    });
    if (sock.writable) sock.end();
  }

  private async send(ctx: RequestContext, res: ServerResponse | undefined, socket: Duplex | undefined, reply: Exclude<Reply, { kind: 'upgrade' }>): Promise<void> {
    if (socket) {
      // An upgrade request answered without upgrading: write a plain HTTP response.
      const body = reply.kind === 'json' ? JSON.stringify(reply.body) + '\n' : '';
      const status = 'status' in reply && reply.status ? reply.status : 200;
      const extra = reply.kind === 'empty' && reply.headers ? Object.entries(reply.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') : '';
      if (socket.writable) socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`);
      else socket.destroy();
      return;
    }
    if (!res) return;
    for (const [k, v] of Object.entries(this.headers())) res.setHeader(k, v);
    switch (reply.kind) {
      case 'json': {
        const body = JSON.stringify(reply.body) + '\n';
        res.writeHead(reply.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(ctx.req.method === 'HEAD' ? undefined : body);
        return;
      }
      case 'empty':
        res.writeHead(reply.status, { ...(reply.status === 204 || reply.status === 304 ? {} : { 'Content-Length': 0 }), ...reply.headers });
        res.end();
        return;
      case 'text':
        res.writeHead(reply.status, { 'Content-Type': reply.contentType ?? 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(reply.body), ...reply.headers });
        res.end(ctx.req.method === 'HEAD' ? undefined : reply.body);
        return;
      case 'json-stream': {
        res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        try {
          for await (const ev of reply.events) {
            if (!res.write(JSON.stringify(ev) + '\r\n')) await onceDrain(res, ctx.signal);
          }
        } catch (e) {
          // Errors after the headers travel in the stream, as Docker's jsonmessage does.
          const message = publicMessageOf(e);
          if (!isEngineError(e)) this.opts.log.error('stream failed', { error: messageOf(e), stack: (e as Error)?.stack });
          res.write(JSON.stringify({ errorDetail: { message }, error: message }) + '\r\n');
        }
        res.end();
        return;
      }
      case 'stream': {
        res.writeHead(reply.status ?? 200, { 'Content-Type': reply.contentType, ...reply.headers });
        res.flushHeaders();
        try {
          await pipeline(bodyStream(reply.body, ctx.signal), res, { signal: ctx.signal });
        } catch (e) {
          // After the headers a failure can only cut the connection: the client sees a short body.
          if (!ctx.signal.aborted) this.opts.log.warn('stream ended early', { error: messageOf(e) });
          res.destroy();
        }
        return;
      }
    }
  }
}

/**
 * A stream body as a readable. A writer gets a sink of its own rather than the response, so
 * that it is done once the server has its bytes, whatever the client does after them; its
 * failure cuts the stream.
 */
function bodyStream(body: StreamBody, signal: AbortSignal): Readable {
  if (body instanceof Readable) return body;
  if (typeof body !== 'function') return Readable.from(body);
  const sink = new PassThrough();
  body(sink, signal).then(() => { if (!sink.writableEnded) sink.end(); }, (e: unknown) => sink.destroy(e as Error));
  return sink;
}

function onceDrain(w: NodeJS.EventEmitter, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) { resolve(); return; }
    const done = (): void => { w.off('drain', done); signal.removeEventListener('abort', done); resolve(); };
    w.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Upgraded requests whose body the handler has read off the socket: the pump skips nothing then. */
const bodyRead = new WeakSet<RequestContext>();

async function readUpgraded<T>(ctx: RequestContext, socket: Duplex, decode?: (text: string) => T): Promise<T | undefined> {
  const text = await readUpgradedBody(socket, ctx.req.headers, MAX_JSON_BODY);
  if (text === undefined) return undefined;
  bodyRead.add(ctx);
  if (decode) return decode(text);
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new InvalidArgumentError(`invalid JSON: ${messageOf(e)}`);
  }
}

async function readText(req: IncomingMessage): Promise<string> {
  // Refused before a byte is read when the client says how much is coming: nothing to buffer.
  if (Number(req.headers['content-length'] ?? 0) > MAX_JSON_BODY) throw new InvalidArgumentError('request body is too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_JSON_BODY) throw new InvalidArgumentError('request body is too large');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson<T>(req: IncomingMessage): Promise<T | undefined> {
  const text = (await readText(req)).trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new InvalidArgumentError(`invalid JSON: ${messageOf(e)}`);
  }
}
