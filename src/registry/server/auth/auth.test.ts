import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { DistributionError } from '../errors.js';
import { HtpasswdAuthorizer, parseBasic, parseHtpasswd } from './htpasswd.js';
import { TokenAuthorizer, libtrustKeyId } from './token.js';
import { X509Certificate } from 'node:crypto';

const dir = mkdtempSync(join(tmpdir(), 'berth-regauth-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const pull = [{ type: 'repository' as const, name: 'lib/app', actions: ['pull'] }];

function challenge(e: unknown): string {
  assert.ok(e instanceof DistributionError && e.code === 'UNAUTHORIZED', String(e));
  return e.headers['WWW-Authenticate']!;
}

test('htpasswd: the right password passes, a wrong one or an unknown user gets the Basic challenge', async () => {
  const path = join(dir, 'htpasswd');
  writeFileSync(path, `# users\nalice:${bcrypt.hashSync('s3cret', 4)}\n`);
  const a = await HtpasswdAuthorizer.load({ realm: 'r1', path });
  assert.deepEqual(await a.authorize(basic('alice', 's3cret'), pull), { user: 'alice' });
  assert.deepEqual(await a.authorize(basic('alice', 's3cret'), pull), { user: 'alice' });
  for (const auth of [basic('alice', 'wrong'), basic('bob', 's3cret'), undefined, 'Bearer x', 'Basic !!!']) {
    assert.equal(challenge(await a.authorize(auth, pull).then(() => undefined, (e: unknown) => e)), 'Basic realm="r1"');
  }
});

test('htpasswd: only bcrypt entries are accepted', () => {
  assert.throws(() => parseHtpasswd('bob:{SHA}abc=\n', '/h'), /line 1: expected user:bcrypt-hash/);
  assert.equal(parseBasic('Basic ' + Buffer.from('a:b:c').toString('base64'))?.password, 'b:c');
});

test('token: a JWT signed by the root bundle\'s key with the scope passes; otherwise the Bearer challenge names the scope', async () => {
  const key = join(dir, 'token.key');
  const cert = join(dir, 'token.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=token', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const a = await TokenAuthorizer.load({ realm: 'https://auth.example/token', service: 'registry.example', issuer: 'auth.example', rootCertBundle: cert });
  const { readFileSync } = await import('node:fs');
  const pem = readFileSync(key, 'utf8');
  const kid = libtrustKeyId(new X509Certificate(readFileSync(cert)).publicKey);
  const jwt = (claims: Record<string, unknown>, signWith = pem, header: Record<string, unknown> = { alg: 'ES256', typ: 'JWT', kid }): string => {
    const h = Buffer.from(JSON.stringify(header)).toString('base64url');
    const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const s = sign('sha256', Buffer.from(`${h}.${p}`), { key: signWith, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return `Bearer ${h}.${p}.${s}`;
  };
  const now = Math.floor(Date.now() / 1000);
  const good = { iss: 'auth.example', aud: 'registry.example', sub: 'alice', exp: now + 300, nbf: now - 10, access: [{ type: 'repository', name: 'lib/app', actions: ['pull', 'push'] }] };
  assert.deepEqual(await a.authorize(jwt(good), pull), { user: 'alice' });
  const none = challenge(await a.authorize(undefined, pull).catch((e: unknown) => e));
  assert.equal(none, 'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:lib/app:pull"');
  const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cases: Array<[string, string]> = [
    [jwt(good, other), 'invalid_token'],
    [jwt({ ...good, iss: 'someone' }), 'invalid_token'],
    [jwt({ ...good, aud: 'other' }), 'invalid_token'],
    [jwt({ ...good, exp: now - 3600 }), 'invalid_token'],
    [jwt(good, pem, { alg: 'none', kid }), 'invalid_token'],
    [jwt(good, pem, { alg: 'ES256', kid: 'AAAA:BBBB' }), 'invalid_token'],
    [jwt({ ...good, access: [{ type: 'repository', name: 'lib/other', actions: ['pull'] }] }), 'insufficient_scope'],
    ['Bearer not.a.token', 'invalid_token'],
  ];
  for (const [auth, error] of cases) {
    const h = challenge(await a.authorize(auth, pull).then(() => undefined, (e: unknown) => e));
    assert.ok(h.endsWith(`,error="${error}"`), h);
  }
});
