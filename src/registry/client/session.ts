import type { Readable } from 'node:stream';
import { UnauthorizedError } from '../../base/index.js';
import { basicHeader, parseChallenges, TokenSource, type Challenge } from './auth.js';
import type { Endpoint } from './endpoint.js';
import type { Credentials } from './options.js';
import { isTlsFailure, type HttpResponse, type Transport } from './transport.js';

export interface SessionRequest {
  method?: string;
  headers?: Record<string, string>;
  /** Streams cannot be replayed: a request with one is authorized before it is sent. */
  body?: Buffer | (() => Readable);
  /** Token scopes, e.g. `repository:library/busybox:pull`. */
  scopes: string[];
  signal?: AbortSignal;
}

/**
 * One registry endpoint with one user's credentials: picks the scheme by pinging `/v2/`
 * (https, then http where allowed), learns its auth challenge, and signs every request
 * (basic, or bearer tokens per scope), retrying once on a 401 with a fresh token.
 */
export class RegistrySession {
  private base?: string;
  private challenge?: Challenge;
  private pinging?: Promise<void>;
  private readonly tokens: TokenSource;

  constructor(private readonly transport: Transport, readonly endpoint: Endpoint, private readonly creds: Credentials = {}) {
    this.tokens = new TokenSource(transport, creds);
  }

  /** `https://host` once pinged. */
  get origin(): string {
    return this.base ?? `${this.endpoint.schemes[0]}://${this.endpoint.host}`;
  }

  ping(signal?: AbortSignal): Promise<void> {
    this.pinging ??= this.doPing(signal).catch((e: unknown) => {
      this.pinging = undefined;
      throw e;
    });
    return this.pinging;
  }

  private async doPing(signal?: AbortSignal): Promise<void> {
    let last: unknown;
    for (const scheme of this.endpoint.schemes) {
      const url = `${scheme}://${this.endpoint.host}/v2/`;
      try {
        const res = await this.transport.request(url, { signal });
        res.body.resume();
        this.base = `${scheme}://${this.endpoint.host}`;
        if (res.status === 401) this.challenge = parseChallenges(res.headers['www-authenticate']).find((c) => c.scheme === 'bearer' || c.scheme === 'basic');
        return;
      } catch (e) {
        last = e;
        // plain HTTP is the fallback only when https failed as TLS (or refused, for a registry without TLS on that port)
        if (!isTlsFailure(e) && !/connection refused|connection reset/.test(String((e as Error).message))) break;
      }
    }
    throw last;
  }

  /** Whether `/v2/` asked for credentials. */
  get requiresAuth(): boolean {
    return this.challenge !== undefined;
  }

  private async authorization(scopes: readonly string[], signal?: AbortSignal): Promise<string | undefined> {
    const ch = this.challenge;
    if (!ch) return undefined;
    if (ch.scheme === 'basic') return basicHeader(this.creds);
    return `Bearer ${await this.tokens.token(ch, scopes, signal)}`;
  }

  async request(path: string, req: SessionRequest): Promise<HttpResponse> {
    await this.ping(req.signal);
    const url = path.startsWith('http://') || path.startsWith('https://') ? path : `${this.origin}${path}`;
    for (let attempt = 0; ; attempt++) {
      const auth = await this.authorization(req.scopes, req.signal);
      const body = typeof req.body === 'function' ? req.body() : req.body;
      const res = await this.transport.request(url, {
        method: req.method ?? 'GET', signal: req.signal, body,
        headers: { ...req.headers, ...(auth ? { Authorization: auth } : {}) },
      });
      if (res.status !== 401 || attempt > 0) {
        if (res.status === 401 && this.challenge?.scheme === 'basic' && !basicHeader(this.creds)) {
          res.body.resume();
          throw new UnauthorizedError(`${verb(req.method)} "${url}": no basic auth credentials`);
        }
        return res;
      }
      // a first 401: the registry may not have challenged /v2/ (or wants another scope); learn and retry once
      const ch = parseChallenges(res.headers['www-authenticate']).find((c) => c.scheme === 'bearer' || c.scheme === 'basic');
      if (!ch) return res;
      res.body.resume();
      this.challenge = ch;
      if (ch.scheme === 'basic' && !basicHeader(this.creds)) throw new UnauthorizedError(`${verb(req.method)} "${url}": no basic auth credentials`);
    }
  }
}

function verb(method = 'GET'): string {
  return method.charAt(0) + method.slice(1).toLowerCase();
}
