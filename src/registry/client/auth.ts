import { UnauthorizedError, UnavailableError } from '../../base/index.js';
import type { Credentials } from './options.js';
import { readBody, type Transport } from './transport.js';

/** One `WWW-Authenticate` challenge: `Bearer realm="...",service="...",scope="..."` or `Basic realm="..."`. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parse a WWW-Authenticate header into its challenges (RFC 7235, quoted strings with escapes). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const out: Challenge[] = [];
  for (const h of Array.isArray(header) ? header : header ? [header] : []) {
    let i = 0;
    let cur: Challenge | undefined;
    while (i < h.length) {
      const m = /^[\s,]*([!#$%&'*+.^_`|~0-9A-Za-z-]+)/.exec(h.slice(i));
      if (!m) break;
      i += m[0].length;
      const token = m[1]!;
      const eq = /^\s*=\s*/.exec(h.slice(i));
      if (cur && eq) {
        i += eq[0].length;
        let value = '';
        if (h[i] === '"') {
          i++;
          while (i < h.length && h[i] !== '"') {
            if (h[i] === '\\' && i + 1 < h.length) i++;
            value += h[i++];
          }
          i++;
        } else {
          const v = /^[^\s,]*/.exec(h.slice(i))![0];
          value = v;
          i += v.length;
        }
        cur.params[token.toLowerCase()] = value;
      } else {
        cur = { scheme: token.toLowerCase(), params: {} };
        out.push(cur);
      }
    }
  }
  return out;
}

export function basicHeader(c: Credentials): string | undefined {
  if (!c.username && !c.password) return undefined;
  return `Basic ${Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64')}`;
}

/**
 * The bearer token flow: GET the realm with service and scopes, with the user's basic
 * credentials when there are any (an identity token goes as a refresh-token POST, as
 * Docker's client does). Tokens are cached per scope set until they expire.
 */
export class TokenSource {
  private readonly cache = new Map<string, { token: string; until: number }>();

  constructor(private readonly transport: Transport, private readonly creds: Credentials) {}

  async token(ch: Challenge, scopes: readonly string[], signal?: AbortSignal): Promise<string> {
    if (this.creds.registryToken) return this.creds.registryToken;
    const realm = ch.params.realm;
    if (!realm) throw new UnavailableError('bearer auth challenge without a realm');
    const key = `${realm} ${ch.params.service ?? ''} ${[...scopes].sort().join(' ')}`;
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.token;
    const u = new URL(realm);
    if (ch.params.service) u.searchParams.set('service', ch.params.service);
    let res;
    if (this.creds.identityToken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: this.creds.identityToken, client_id: 'docker', service: ch.params.service ?? '', scope: scopes.join(' ') });
      res = await this.transport.request(realm, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form.toString()), signal });
    } else {
      for (const s of scopes) u.searchParams.append('scope', s);
      const basic = basicHeader(this.creds);
      res = await this.transport.request(u.toString(), { headers: basic ? { Authorization: basic } : {}, signal });
    }
    const body = await readBody(res, 1 << 20);
    if (res.status === 401 || res.status === 403) throw new UnauthorizedError('unauthorized: incorrect username or password');
    if (res.status !== 200) throw new UnavailableError(`token server ${u.origin} answered ${res.status}: ${body.toString('utf8').slice(0, 200)}`);
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      doc = JSON.parse(body.toString('utf8')) as typeof doc;
    } catch {
      throw new UnavailableError(`token server ${u.origin} answered with malformed JSON`);
    }
    const token = typeof doc.token === 'string' && doc.token ? doc.token : typeof doc.access_token === 'string' ? doc.access_token : '';
    if (!token) throw new UnavailableError(`token server ${u.origin} gave no token`);
    const ttl = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : 60;
    this.cache.set(key, { token, until: Date.now() + (ttl - 5) * 1000 });
    return token;
  }
}
