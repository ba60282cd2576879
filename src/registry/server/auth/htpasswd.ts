import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import bcrypt from 'bcryptjs';
import { InvalidArgumentError } from '../../../base/index.js';
import { DistributionError } from '../errors.js';
import type { Access, Authorizer } from './access.js';

/**
 * Basic auth against an Apache htpasswd file of bcrypt hashes (`htpasswd -Bbn user pass`), as
 * the reference registry takes it: any user it knows may pull and push. A password checked once
 * is remembered by its SHA-256 so that the many requests of a push cost one bcrypt.
 */
export class HtpasswdAuthorizer implements Authorizer {
  private readonly verified = new Set<string>();
  private constructor(private readonly realm: string, private readonly users: Map<string, string>) {}

  static async load(opts: { realm: string; path: string }): Promise<HtpasswdAuthorizer> {
    let text: string;
    try {
      text = await readFile(opts.path, 'utf8');
    } catch (e) {
      throw new InvalidArgumentError(`Cannot read htpasswd file "${opts.path}": ${(e as Error).message}`);
    }
    return new HtpasswdAuthorizer(opts.realm, parseHtpasswd(text, opts.path));
  }

  async authorize(authorization: string | undefined, _access: Access[]): Promise<{ user?: string }> {
    const creds = parseBasic(authorization);
    if (creds) {
      const hash = this.users.get(creds.user);
      const memo = createHash('sha256').update(`${creds.user}\0${creds.password}\0${hash ?? ''}`).digest('hex');
      if (hash !== undefined && (this.verified.has(memo) || (await bcrypt.compare(creds.password, hash)))) {
        this.verified.add(memo);
        return { user: creds.user };
      }
    }
    throw new DistributionError('UNAUTHORIZED', undefined, { 'WWW-Authenticate': `Basic realm="${this.realm}"` });
  }
}

/** user → bcrypt hash; other hash kinds are refused, as the reference registry refuses them. */
export function parseHtpasswd(text: string, path: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const user = line.slice(0, colon);
    const hash = line.slice(colon + 1);
    if (colon <= 0 || !/^\$2[abyx]?\$\d\d\$/.test(hash)) throw new InvalidArgumentError(`Cannot read htpasswd file "${path}" line ${i + 1}: expected user:bcrypt-hash (htpasswd -B)`);
    users.set(user, hash);
  }
  return users;
}

/** The user and password of `Basic <base64>`, undefined for anything else. */
export function parseBasic(authorization: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!m) return undefined;
  const s = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = s.indexOf(':');
  if (colon < 0) return undefined;
  return { user: s.slice(0, colon), password: s.slice(colon + 1) };
}
