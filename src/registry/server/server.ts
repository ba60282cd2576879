import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TLSSocket } from 'node:tls';
import { InvalidArgumentError, type Logger } from '../../base/index.js';
import { sendFileTo } from '../../host/index.js';
import { isLoopback } from '../client/endpoint.js';
import { OPEN_ACCESS, type Authorizer } from './auth/access.js';
import { HtpasswdAuthorizer } from './auth/htpasswd.js';
import { TokenAuthorizer } from './auth/token.js';
import { blobRoute, startUploadRoute, uploadRoute } from './blob-routes.js';
import type { RegistryConfig } from './config.js';
import { DistributionError, errorResponse } from './errors.js';
import { catalogRoute, referrersRoute, searchRoute, tagsRoute, v1PingRoute } from './listing-routes.js';
import { manifestRoute } from './manifest-routes.js';
import { RegistryStorage } from './registry-storage.js';
import { purgeUploads } from './storage/index.js';
import { isFileBody, type FileBody, type Reply, type RegistryRequest } from './reply.js';
import { matchRoute, requiredAccess, type Route } from './routes.js';

/** A registry ready to listen: the node server, its storage and where it listens. */
export interface RegistryServer {
  server: Server;
  storage: RegistryStorage;
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** Build the registry server a configuration describes (TLS, auth, storage), not yet listening. */
export async function createRegistryServer(config: RegistryConfig, log: Logger): Promise<RegistryServer> {
  const storage = new RegistryStorage(config.storage);
  const auth = await authorizerFor(config);
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const started = Date.now();
    const seen: { user?: string } = {};
    handle(req, res, { config, storage, auth }, seen).then((status) => {
      if (config.log.accessLog) log.info('request', { method: req.method, uri: req.url, status, ms: Date.now() - started, remote: req.socket.remoteAddress, ...(seen.user !== undefined ? { user: seen.user } : {}) });
    }, (e: unknown) => {
      // Only writing the answer can fail here (a bad http.headers value): the client sees the connection close.
      log.error('response failed', { method: req.method, uri: req.url, error: (e as Error).message });
      res.destroy();
    });
  };
  let server: Server;
  if (config.http.tls) {
    const [cert, key, ...cas] = await Promise.all([config.http.tls.certificate, config.http.tls.key, ...config.http.tls.clientCas].map((p) => readFile(p).catch((e: Error) => {
      throw new InvalidArgumentError(`Cannot read TLS file "${p}": ${e.message}`);
    })));
    server = createHttpsServer({ cert, key, ...(cas.length > 0 ? { ca: cas, requestCert: true, rejectUnauthorized: true } : {}) }, handler);
  } else {
    server = createHttpServer(handler);
  }
  const purging = config.storage.uploadPurging;
  let purgeTimer: NodeJS.Timeout | undefined;
  if (purging.enabled && !config.storage.readOnly) {
    const purge = (): void => {
      void purgeUploads(storage.layout, purging).then((gone) => {
        for (const p of gone) log.info(purging.dryRun ? 'upload session would be purged' : 'upload session purged', { path: p });
      }, (e: unknown) => log.warn('upload purging failed', { error: (e as Error).message }));
    };
    purge();
    purgeTimer = setInterval(purge, Math.min(purging.intervalMs, 2 ** 31 - 1));
    purgeTimer.unref();
  }
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  // Uploads of big layers take as long as they take.
  server.requestTimeout = 0;
  return {
    server, storage,
    listen: () => listen(server, config),
    // Requests in flight get a few seconds to end; idle keep-alive connections close at once.
    close: () => new Promise((res) => {
      clearInterval(purgeTimer);
      const cut = setTimeout(() => server.closeAllConnections(), 5000);
      server.close(() => { clearTimeout(cut); res(); });
      server.closeIdleConnections();
    }),
  };
}

async function authorizerFor(config: RegistryConfig): Promise<Authorizer> {
  const a = config.auth;
  if (!a) return OPEN_ACCESS;
  return a.kind === 'htpasswd' ? HtpasswdAuthorizer.load(a) : TokenAuthorizer.load(a);
}

function listen(server: Server, config: RegistryConfig): Promise<string> {
  return new Promise((res, rej) => {
    server.once('error', rej);
    const done = (): void => {
      server.off('error', rej);
      const a = server.address();
      res(typeof a === 'string' || a === null ? String(a) : `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`);
    };
    if (config.http.net === 'unix') {
      server.listen(config.http.addr, done);
      return;
    }
    const m = /^(.*):(\d+)$/.exec(config.http.addr);
    if (!m || Number(m[2]) > 65535) {
      rej(new InvalidArgumentError(`Cannot listen on http.addr "${config.http.addr}": expected [host]:port`));
      return;
    }
    const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
    if (host === '') server.listen(Number(m[2]), done);
    else server.listen(Number(m[2]), host, done);
  });
}

interface Context { config: RegistryConfig; storage: RegistryStorage; auth: Authorizer }

/** Answer one request; every failure becomes the spec's error body, and the server carries on. Returns the status. */
async function handle(req: IncomingMessage, res: ServerResponse, ctx: Context, seen: { user?: string }): Promise<number> {
  const method = req.method ?? 'GET';
  let reply: Reply;
  try {
    // The path as sent: dot segments are not resolved here, so "a/../b" reaches the name check and is refused.
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    let path = q < 0 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    const prefix = ctx.config.http.prefix;
    if (prefix !== '') {
      if (path !== prefix && !path.startsWith(`${prefix}/`)) {
        reply = notFound();
        return await send(req, res, reply, ctx);
      }
      path = path.slice(prefix.length) || '/';
    }
    const route = matchRoute(path);
    if (!route) {
      req.resume();
      return await send(req, res, notFound(), ctx);
    }
    const { user } = await ctx.auth.authorize(req.headers.authorization, requiredAccess(route, method, query));
    seen.user = user;
    reply = await dispatch(route, { method, query, headers: req.headers, body: req }, ctx.storage);
  } catch (e) {
    // A client that went away mid-request (an upload cut off) is no server fault: what arrived stays for a resume.
    if (res.destroyed || req.socket.destroyed) {
      res.destroy();
      return 499;
    }
    if (!(e instanceof DistributionError) && !(e instanceof InvalidArgumentError)) process.emitWarning(`registry: ${method} ${req.url}: ${(e as Error).stack ?? String(e)}`);
    const r = errorResponse(e instanceof InvalidArgumentError && !(e instanceof DistributionError) ? new DistributionError('UNKNOWN', undefined, {}, e.message) : e);
    reply = { status: r.status, headers: { 'Content-Type': 'application/json', ...r.headers }, body: r.body };
    // Whatever the client still sends is read and dropped, so that the answer reaches it.
    if (!req.readableEnded) req.resume();
  }
  return send(req, res, reply, ctx);
}

function dispatch(route: Route, req: RegistryRequest, s: RegistryStorage): Promise<Reply> | Reply {
  switch (route.kind) {
    case 'base':
      req.body.resume();
      return { status: 200, headers: { 'Content-Type': 'application/json' }, body: '{}' };
    case 'catalog': return catalogRoute(s, req);
    case 'v1-ping': return v1PingRoute();
    case 'v1-search': return searchRoute(s, req);
    case 'tags': return tagsRoute(s, req, route.name);
    case 'manifest': return manifestRoute(s, req, route.name, route.reference);
    case 'uploads': return startUploadRoute(s, req, route.name);
    case 'upload': return uploadRoute(s, req, route.name, route.id);
    case 'blob': return blobRoute(s, req, route.name, route.digest);
    case 'referrers': return referrersRoute(s, req, route.name, route.digest);
  }
}

function notFound(): Reply {
  return { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: '404 page not found\n' };
}

async function send(req: IncomingMessage, res: ServerResponse, reply: Reply, ctx: Context): Promise<number> {
  const file = isFileBody(reply.body) ? reply.body.file : undefined;
  try {
    return await write(req, res, reply, ctx);
  } finally {
    await file?.close().catch(() => {});
  }
}

async function write(req: IncomingMessage, res: ServerResponse, reply: Reply, ctx: Context): Promise<number> {
  const headers: Record<string, string | string[]> = { 'Docker-Distribution-API-Version': 'registry/2.0', ...ctx.config.http.headers, ...reply.headers };
  const location = reply.headers?.['Location'];
  if (location?.startsWith('/')) headers['Location'] = `${baseUrl(req, ctx.config)}${location}`;
  let body = reply.body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    headers['Content-Length'] ??= String(buf.length);
    body = buf;
  }
  if (res.headersSent || res.destroyed) return reply.status;
  res.writeHead(reply.status, headers);
  if (req.method === 'HEAD' || body === undefined) {
    if (body instanceof Readable) body.destroy();
    res.end();
    return reply.status;
  }
  if (Buffer.isBuffer(body)) {
    res.end(body);
    return reply.status;
  }
  try {
    if (isFileBody(body)) await sendFileBody(res, body);
    else await pipeline(body, res);
  } catch {
    res.destroy();
  }
  return reply.status;
}

/**
 * A blob's bytes, written by the addon on the thread pool where it can (a plain TCP or unix
 * connection that this response owns now, not one queued behind a pipelined request): by
 * sendfile(2) from the page cache for a client elsewhere, copied through the addon's buffer for a
 * client on this machine; else (TLS, no addon) streamed through 1 MiB reads. docs/decisions/0019.
 */
async function sendFileBody(res: ServerResponse, body: FileBody): Promise<void> {
  const socket = res.socket;
  if (socket) {
    res.flushHeaders();
    if (await sendFileTo(socket, body.file, { offset: body.start, length: body.length, copy: onThisMachine(socket) })) {
      res.end();
      return;
    }
  }
  await pipeline(body.file.createReadStream({ start: body.start, end: body.start + body.length - 1, highWaterMark: 1 << 20, autoClose: false }), res);
}

/**
 * A client on loopback or a unix socket runs on this machine: sendfile spares the server its two
 * copies, but the client then copies the blob's pages cold from memory rather than socket buffers
 * the server just filled, and a pull is bound by the client (skopeo spent 12 % more CPU, its pulls
 * took 8 % longer).
 */
function onThisMachine(socket: Socket): boolean {
  const peer = socket.remoteAddress;
  return peer === undefined || isLoopback(peer.replace(/^::ffff:/i, ''));
}

/** scheme://host[:port][prefix] the client reached, for absolute Location headers. */
function baseUrl(req: IncomingMessage, config: RegistryConfig): string {
  if (config.http.host) return `${config.http.host}${config.http.prefix}`;
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = typeof forwarded === 'string' && /^https?$/.test(forwarded) ? forwarded : (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  const host = req.headers.host && /^[A-Za-z0-9.\-:[\]]+$/.test(req.headers.host) ? req.headers.host : 'localhost';
  return `${proto}://${host}${config.http.prefix}`;
}
