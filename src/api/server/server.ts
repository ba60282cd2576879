import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, type Logger } from '../../base/index.js';
import { messageOf, statusOf } from './errors.js';
import type { Reply, RequestContext, Router } from './router.js';
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

  constructor(private readonly opts: ApiServerOptions) {}

  /** A new HTTP server bound to this API; one per listening address. */
  createHttpServer(): Server {
    const http = createServer({ keepAlive: true });
    http.on('request', (req, res) => void this.dispatch(req, res, undefined));
    http.on('upgrade', (req, socket: Duplex, head: Buffer) => {
      if (head.length > 0) socket.unshift(head);
      void this.dispatch(req, undefined, socket);
    });
    http.on('clientError', (_e, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    });
    this.servers.push(http);
    return http;
  }

  /** Stop accepting connections; open streams are cut. */
  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => {
      s.close(() => r());
      s.closeAllConnections();
    })));
  }

  private headers(): Record<string, string> {
    return { 'Api-Version': this.opts.apiVersion, Server: this.opts.serverHeader, Ostype: 'linux' };
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse | undefined, socket: Duplex | undefined): Promise<void> {
    const started = process.hrtime.bigint();
    this.opts.onRequest?.();
    const url = new URL(req.url ?? '/', 'http://berth');
    const { version, path } = splitVersion(url.pathname);
    const abort = new AbortController();
    const conn = socket ?? req.socket;
    const onClose = (): void => abort.abort();
    conn.once('close', onClose);
    res?.once('close', onClose);
    let hijacked = false;
    const ctx: RequestContext = {
      req,
      res,
      params: {},
      query: url.searchParams,
      version: version ?? this.opts.apiVersion,
      signal: abort.signal,
      body: () => readJson(req),
      hijack: (contentType) => {
        hijacked = true;
        const s = socket ?? req.socket;
        const head = socket
          ? `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n`
          : `HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\n`;
        const extra = Object.entries(this.headers()).map(([k, v]) => `${k}: ${v}\r\n`).join('');
        s.write(`${head}${extra}\r\n`);
        return s;
      },
    };
    try {
      if (version !== undefined) this.checkVersion(version);
      const found = this.opts.router.match(req.method ?? 'GET', path);
      if (found === undefined || found === 'method') {
        this.send(ctx, socket, { kind: 'json', status: 404, body: { message: 'page not found' } });
        return;
      }
      ctx.params = found.params;
      const reply = await found.handler(ctx);
      if (reply.kind !== 'hijacked') await this.send(ctx, socket, reply);
    } catch (e) {
      const status = statusOf(e);
      if (status >= 500) this.opts.log.error('request failed', { method: req.method, path, error: messageOf(e), stack: (e as Error)?.stack });
      if (hijacked) {
        conn.destroy();
      } else if (res?.headersSent) {
        res.destroy();
      } else {
        await this.send(ctx, socket, { kind: 'json', status, body: { message: messageOf(e) } });
      }
    } finally {
      conn.off('close', onClose);
      this.opts.log.debug('request', { method: req.method, path: url.pathname, ms: Number(process.hrtime.bigint() - started) / 1e6 });
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

  private async send(ctx: RequestContext, socket: Duplex | undefined, reply: Exclude<Reply, { kind: 'hijacked' }>): Promise<void> {
    if (socket) {
      // An upgrade request answered without upgrading: write a plain HTTP response.
      const body = reply.kind === 'json' ? JSON.stringify(reply.body) + '\n' : '';
      const status = 'status' in reply && reply.status ? reply.status : 200;
      socket.end(`HTTP/1.1 ${status} ${status < 400 ? 'OK' : 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    const res = ctx.res!;
    for (const [k, v] of Object.entries(this.headers())) res.setHeader(k, v);
    switch (reply.kind) {
      case 'json': {
        const body = JSON.stringify(reply.body) + '\n';
        res.writeHead(reply.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(ctx.req.method === 'HEAD' ? undefined : body);
        return;
      }
      case 'empty':
        res.writeHead(reply.status);
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
          res.write(JSON.stringify({ errorDetail: { message: messageOf(e) }, error: messageOf(e) }) + '\r\n');
        }
        res.end();
        return;
      }
      case 'raw-stream': {
        res.writeHead(reply.status ?? 200, { 'Content-Type': reply.contentType, ...reply.headers });
        res.flushHeaders();
        const src = reply.body instanceof Readable ? reply.body : Readable.from(reply.body);
        await pipeline(src, res, { signal: ctx.signal }).catch((e: unknown) => {
          if (!ctx.signal.aborted) this.opts.log.warn('stream ended early', { error: messageOf(e) });
          res.destroy();
        });
        return;
      }
    }
  }
}

function onceDrain(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => { res.off('drain', done); signal.removeEventListener('abort', done); resolve(); };
    res.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

async function readJson<T>(req: IncomingMessage): Promise<T | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_JSON_BODY) throw new InvalidArgumentError('request body is too large');
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new InvalidArgumentError(`invalid JSON: ${messageOf(e)}`);
  }
}
