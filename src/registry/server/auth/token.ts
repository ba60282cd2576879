import { X509Certificate, constants, createHash, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '../../../base/index.js';
import { DistributionError } from '../errors.js';
import { scopeString, type Access, type Authorizer } from './access.js';

const LEEWAY_SEC = 60;
const ALGORITHMS: Record<string, { hash: string; pss?: boolean; ec?: boolean }> = {
  RS256: { hash: 'sha256' }, RS384: { hash: 'sha384' }, RS512: { hash: 'sha512' },
  PS256: { hash: 'sha256', pss: true }, PS384: { hash: 'sha384', pss: true }, PS512: { hash: 'sha512', pss: true },
  ES256: { hash: 'sha256', ec: true }, ES384: { hash: 'sha384', ec: true }, ES512: { hash: 'sha512', ec: true },
};

interface Claims { iss?: unknown; aud?: unknown; exp?: unknown; nbf?: unknown; sub?: unknown; access?: unknown }

/**
 * The bearer-token scheme of the distribution spec: clients get a JWT from the token server at
 * `realm`, signed by a key whose certificate chains to `rootcertbundle`; the token's `access`
 * claim lists what it grants. A missing or short token gets the challenge naming the scope.
 */
export class TokenAuthorizer implements Authorizer {
  private constructor(
    private readonly opts: { realm: string; service: string; issuer: string },
    private readonly roots: X509Certificate[],
    private readonly keysById: Map<string, KeyObject>,
  ) {}

  static async load(opts: { realm: string; service: string; issuer: string; rootCertBundle: string }): Promise<TokenAuthorizer> {
    let pem: string;
    try {
      pem = await readFile(opts.rootCertBundle, 'utf8');
    } catch (e) {
      throw new InvalidArgumentError(`Cannot read auth.token.rootcertbundle "${opts.rootCertBundle}": ${(e as Error).message}`);
    }
    const roots = (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((c) => new X509Certificate(c));
    if (roots.length === 0) throw new InvalidArgumentError(`Cannot use auth.token.rootcertbundle "${opts.rootCertBundle}": it holds no certificate`);
    return new TokenAuthorizer(opts, roots, new Map(roots.map((r) => [libtrustKeyId(r.publicKey), r.publicKey])));
  }

  async authorize(authorization: string | undefined, access: Access[]): Promise<{ user?: string }> {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) throw this.challenge(access);
    let claims: Claims;
    try {
      claims = this.verifyToken(m[1]!);
    } catch (e) {
      throw this.challenge(access, 'invalid_token', (e as Error).message);
    }
    for (const want of access) {
      if (!grants(claims.access, want)) throw this.challenge(access, 'insufficient_scope');
    }
    return typeof claims.sub === 'string' && claims.sub !== '' ? { user: claims.sub } : {};
  }

  /** Check a JWT's signature, issuer, audience and times; return its claims. */
  verifyToken(token: string): Claims {
    const parts = token.split('.');
    if (parts.length !== 3) throw new Error('token is not a JWS compact serialization');
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown; x5c?: unknown };
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Claims;
    const alg = typeof header.alg === 'string' ? ALGORITHMS[header.alg] : undefined;
    if (!alg) throw new Error(`token signing algorithm ${JSON.stringify(header.alg)} is not accepted`);
    const key = this.signingKey(header);
    const data = Buffer.from(`${parts[0]}.${parts[1]}`);
    const sig = Buffer.from(parts[2]!, 'base64url');
    const ok = verify(alg.hash, data, alg.ec ? { key, dsaEncoding: 'ieee-p1363' } : alg.pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : key, sig);
    if (!ok) throw new Error('token signature is invalid');
    if (claims.iss !== this.opts.issuer) throw new Error(`token issuer ${JSON.stringify(claims.iss)} is not ${this.opts.issuer}`);
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(this.opts.service)) throw new Error(`token audience does not include ${this.opts.service}`);
    const now = Date.now() / 1000;
    if (typeof claims.exp !== 'number' || now > claims.exp + LEEWAY_SEC) throw new Error('token has expired');
    if (typeof claims.nbf === 'number' && now < claims.nbf - LEEWAY_SEC) throw new Error('token is not valid yet');
    return claims;
  }

  private signingKey(header: { kid?: unknown; x5c?: unknown }): KeyObject {
    if (Array.isArray(header.x5c) && header.x5c.length > 0) {
      const chain = header.x5c.map((c) => new X509Certificate(Buffer.from(String(c), 'base64')));
      for (let i = 0; i + 1 < chain.length; i++) if (!chain[i]!.verify(chain[i + 1]!.publicKey)) throw new Error('token x5c chain is broken');
      const last = chain[chain.length - 1]!;
      const trusted = this.roots.some((r) => r.fingerprint256 === last.fingerprint256 || (last.checkIssued(r) && last.verify(r.publicKey)));
      if (!trusted) throw new Error('token x5c chain does not lead to a certificate of the root bundle');
      return chain[0]!.publicKey;
    }
    if (typeof header.kid === 'string') {
      const key = this.keysById.get(header.kid);
      if (!key) throw new Error(`token signing key "${header.kid}" is not in the root bundle`);
      return key;
    }
    if (this.roots.length === 1) return this.roots[0]!.publicKey;
    throw new Error('token names no signing key (kid or x5c)');
  }

  private challenge(access: Access[], error?: string, description?: string): DistributionError {
    let h = `Bearer realm="${this.opts.realm}",service="${this.opts.service}"`;
    if (access.length > 0) h += `,scope="${scopeString(access)}"`;
    if (error) h += `,error="${error}"`;
    return new DistributionError('UNAUTHORIZED', access.map((a) => ({ Type: a.type, Name: a.name, Action: a.actions.join(',') })), { 'WWW-Authenticate': h }, description ? `authentication required: ${description}` : undefined);
  }
}

function grants(claimed: unknown, want: Access): boolean {
  if (!Array.isArray(claimed)) return false;
  const have = new Set<string>();
  for (const c of claimed as Array<{ type?: unknown; name?: unknown; actions?: unknown }>) {
    if (c.type === want.type && c.name === want.name && Array.isArray(c.actions)) for (const a of c.actions) if (typeof a === 'string') have.add(a);
  }
  return have.has('*') || want.actions.every((a) => have.has(a));
}

/** libtrust's key ID (what token servers put in `kid`): SHA-256 of the DER public key, 240 bits, base32, groups of 4. */
export function libtrustKeyId(key: KeyObject): string {
  const sum = createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of sum) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join(':');
}
