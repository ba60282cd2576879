import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { pipeline, type Readable } from 'node:stream';
import { errnoCode, UnavailableError } from '../../base/index.js';
import { tlsMaterialFor } from './certs.js';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  /** The URL that answered (after redirects). */
  url: string;
}

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | Readable;
  signal?: AbortSignal;
}

const METHOD_VERB: Record<string, string> = { GET: 'Get', HEAD: 'Head', POST: 'Post', PUT: 'Put', PATCH: 'Patch', DELETE: 'Delete' };

/** Go's net/http wording of a transport failure: `Get "https://h/v2/": dial tcp 127.0.0.1:1: connect: connection refused`. */
export function transportError(method: string, url: string, e: unknown): UnavailableError {
  const verb = METHOD_VERB[method] ?? method;
  const sys = e as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };
  const code = errnoCode(e) ?? '';
  const addr = sys.address ? `${sys.address.includes(':') ? `[${sys.address}]` : sys.address}:${sys.port ?? ''}` : '';
  let why: string;
  if (code === 'ECONNREFUSED') why = `dial tcp ${addr}: connect: connection refused`;
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') why = `dial tcp: lookup ${sys.hostname ?? new URL(url).hostname}: no such host`;
  else if (code === 'ETIMEDOUT') why = `dial tcp ${addr}: i/o timeout`;
  else if (code === 'ECONNRESET') why = 'read: connection reset by peer';
  else if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') why = `dial tcp ${addr}: connect: no route to host`;
  else if (/wrong version number|packet length too long|WRONG_VERSION_NUMBER/i.test(String(sys.message))) why = 'http: server gave HTTP response to HTTPS client';
  else if (/self.signed|unable to (get|verify)|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|CERT_/i.test(`${code} ${sys.message}`)) {
    why = `tls: failed to verify certificate: x509: certificate signed by unknown authority`;
  } else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') why = `tls: failed to verify certificate: x509: ${sys.message}`;
  else why = sys.message ?? String(e);
  return new UnavailableError(`${verb} "${url}": ${why}`, { cause: e });
}

/** True for failures where a plain-HTTP retry makes sense (an HTTP server on a TLS request, a TLS failure). */
export function isTlsFailure(e: unknown): boolean {
  return e instanceof UnavailableError && /server gave HTTP response|tls: |x509: /.test(e.message);
}

/**
 * HTTP(S) to registries through keep-alive agents, one per host and scheme, with certs.d's
 * CAs and client certificates. Follows redirects for GET and HEAD (dropping Authorization
 * when the host changes, as blob storage redirects need).
 */
export class Transport {
  private readonly agents = new Map<string, Promise<HttpAgent>>();

  constructor(private readonly certsDirs: readonly string[]) {}

  private agent(u: URL): Promise<HttpAgent> {
    const key = `${u.protocol}//${u.host}`;
    let a = this.agents.get(key);
    if (!a) {
      a = u.protocol === 'https:'
        ? tlsMaterialFor(u.host, this.certsDirs).then((t) => new HttpsAgent({ keepAlive: true, maxSockets: 16, ca: t.ca, ...(t.cert ? { cert: t.cert, key: t.key } : {}) }) as HttpAgent)
        : Promise.resolve(new HttpAgent({ keepAlive: true, maxSockets: 16 }));
      a.catch(() => this.agents.delete(key));
      this.agents.set(key, a);
    }
    return a;
  }

  async request(url: string, req: HttpRequest = {}): Promise<HttpResponse> {
    const method = req.method ?? 'GET';
    let current = url;
    let headers = { ...req.headers };
    for (let hop = 0; ; hop++) {
      const res = await this.once(current, method, headers, req);
      const loc = res.headers.location;
      if ((method === 'GET' || method === 'HEAD') && [301, 302, 303, 307, 308].includes(res.status) && loc && hop < 10) {
        res.body.resume();
        const next = new URL(loc, current);
        if (next.host !== new URL(current).host) {
          const { Authorization: _a, authorization: _b, ...rest } = headers;
          headers = rest;
        }
        current = next.toString();
        continue;
      }
      return res;
    }
  }

  private async once(url: string, method: string, headers: Record<string, string>, req: HttpRequest): Promise<HttpResponse> {
    const u = new URL(url);
    const agent = await this.agent(u);
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const body = req.body;
    const len = Buffer.isBuffer(body) ? { 'Content-Length': String(body.length) } : {};
    return new Promise<HttpResponse>((resolve, reject) => {
      const r = send(u, { method, agent, headers: { 'User-Agent': 'berth', ...len, ...headers }, signal: req.signal }, (res) => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url });
      });
      r.on('error', (e) => reject(req.signal?.aborted ? req.signal.reason : transportError(method, url, e)));
      if (body === undefined) r.end();
      else if (Buffer.isBuffer(body)) r.end(body);
      else pipeline(body, r, (e) => { if (e) r.destroy(e); });
    });
  }

  close(): void {
    for (const a of this.agents.values()) a.then((x) => x.destroy(), () => {});
    this.agents.clear();
  }
}

/** Read a whole (small) body, refusing more than `limit` bytes. */
export async function readBody(res: HttpResponse, limit = 8 << 20): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of res.body as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) {
      res.body.destroy();
      throw new UnavailableError(`response from ${res.url} is larger than ${limit} bytes`);
    }
    parts.push(c);
  }
  return Buffer.concat(parts);
}
