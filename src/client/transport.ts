import { Agent, request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders, RequestOptions } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { errnoCode } from '../base/index.js';
import type { DaemonEndpoint } from './host.js';
import { ClientError, ConnectionError } from './errors.js';
import { Http1Client } from './http1.js';

export type Body = Buffer | string | Readable | undefined;

export interface RawRequest {
  method: string;
  path: string;
  headers?: OutgoingHttpHeaders;
  body?: Body;
  signal?: AbortSignal;
}

/** The Host a request over a unix socket names, as docker's client. */
const UNIX_HOST = 'api.moby.localhost';

const CONNECT_ERRORS = new Set(['ENOENT', 'ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * HTTP/1.1 to the daemon over a unix socket or TCP; no TLS yet. Requests whose body is in memory
 * go through http1.ts; uploads of a stream and upgrades through node's http.
 */
export class Transport {
  private agentCache: Agent | undefined;
  private readonly http1: Http1Client;
  constructor(readonly endpoint: DaemonEndpoint, private readonly userAgent: string) {
    this.http1 = new Http1Client(endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port },
      endpoint.kind === 'unix' ? UNIX_HOST : `${endpoint.host}:${endpoint.port}`);
  }

  private get agent(): Agent {
    return (this.agentCache ??= new Agent({ keepAlive: true, maxSockets: 8 }));
  }

  private headers(r: RawRequest): OutgoingHttpHeaders {
    return { 'User-Agent': this.userAgent, ...r.headers };
  }

  private options(r: RawRequest): RequestOptions {
    const headers = this.headers(r);
    // No TLS yet: an empty server name spares node's agent from deriving one with its costly IPv6 test.
    const common = { method: r.method, path: r.path, headers, agent: this.agent, signal: r.signal, servername: '' };
    return this.endpoint.kind === 'unix'
      ? { ...common, socketPath: this.endpoint.socketPath, host: UNIX_HOST }
      : { ...common, host: this.endpoint.host, port: this.endpoint.port };
  }

  private connectError(e: unknown): Error {
    const code = errnoCode(e);
    if (code === 'EACCES') {
      return new ConnectionError(`permission denied while trying to connect to the berth daemon socket at ${this.endpoint.url}`, { cause: e });
    }
    if (code && CONNECT_ERRORS.has(code)) {
      return new ConnectionError(`Cannot connect to the berth daemon at ${this.endpoint.url}. Is the berth daemon running?`, { cause: e });
    }
    if (e instanceof Error && e.name === 'AbortError') return e;
    return new ConnectionError(`error during connect: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }

  /** Send a request and resolve with the response head; the body is left to the caller. */
  send(r: RawRequest): Promise<IncomingMessage> {
    if (r.body === undefined || typeof r.body === 'string' || Buffer.isBuffer(r.body)) {
      // The fields of an IncomingMessage the client reads: status, headers, the body stream.
      return this.http1.request({ method: r.method, path: r.path, headers: this.headers(r), body: r.body, signal: r.signal })
        .then((res) => res as unknown as IncomingMessage, (e: unknown) => { throw this.connectError(e); });
    }
    return new Promise((resolve, reject) => {
      const req = httpRequest(this.options(r));
      req.on('response', resolve);
      req.on('error', (e) => reject(this.connectError(e)));
      sendBody(req, r.body, reject);
    });
  }

  /**
   * POST with `Connection: Upgrade` and expect 101: the socket then carries the raw
   * attach stream both ways. Any other status is read as an API error.
   */
  hijack(r: RawRequest): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const opts = this.options({ ...r, headers: { ...r.headers, Connection: 'Upgrade', Upgrade: 'tcp' } });
      // An upgraded socket must not go back to the pool.
      const req = httpRequest({ ...opts, agent: false });
      req.on('upgrade', (_res, socket, head) => {
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      req.on('response', (res) => {
        readError(res).then(reject, reject);
      });
      req.on('error', (e) => reject(this.connectError(e)));
      sendBody(req, r.body, reject);
    });
  }

  close(): void {
    this.agentCache?.destroy();
    this.http1.close();
  }
}

function sendBody(req: ClientRequest, body: Body, reject: (e: unknown) => void): void {
  if (body === undefined) req.end();
  else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
  else {
    body.on('error', (e) => {
      req.destroy(e);
      reject(e);
    });
    body.pipe(req);
  }
}

/** Read a whole (small) response body. */
export async function readBody(res: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of res) parts.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(parts);
}

/** Turn a non-2xx response into a ClientError with docker's wording. */
export async function readError(res: IncomingMessage): Promise<ClientError> {
  const status = res.statusCode ?? 500;
  const body = (await readBody(res)).toString('utf8');
  const ctype = String(res.headers['content-type'] ?? '');
  if (body.trim() === '') {
    return new ClientError(status, `request returned ${status} ${res.statusMessage ?? ''} for API route and version ${(res as IncomingMessage & { req?: { path?: string } }).req?.path ?? ''}, check if the server supports the requested API version`.replace(/  +/g, ' '));
  }
  if (ctype.startsWith('application/json')) {
    try {
      const doc = JSON.parse(body) as { message?: unknown };
      if (typeof doc.message === 'string' && doc.message !== '') return new ClientError(status, doc.message.trim());
      return new ClientError(status, `API returned a ${status} (${res.statusMessage ?? ''}) but provided no error-message`);
    } catch {
      return new ClientError(status, body.trim());
    }
  }
  return new ClientError(status, body.trim());
}

export { Readable };
