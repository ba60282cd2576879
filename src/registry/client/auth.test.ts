import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { parseChallenges } from './auth.js';
import { RegistrySession } from './session.js';
import { Transport } from './transport.js';

test('parseChallenges() reads Bearer and Basic challenges with quoted, escaped and bare values', () => {
  assert.deepEqual(parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"'), [
    { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' } },
  ]);
  assert.deepEqual(parseChallenges('Basic realm="say \\"hi\\""'), [{ scheme: 'basic', params: { realm: 'say "hi"' } }]);
  assert.deepEqual(parseChallenges(['Basic realm=bare', 'Bearer realm="r"']), [
    { scheme: 'basic', params: { realm: 'bare' } }, { scheme: 'bearer', params: { realm: 'r' } },
  ]);
  assert.deepEqual(parseChallenges(undefined), []);
  assert.deepEqual(parseChallenges('"unterminated'), []);
});

/** A registry that wants bearer tokens from its own token endpoint, which wants basic credentials. */
async function tokenRegistry(): Promise<{ origin: string; host: string; scopes: string[]; close(): Promise<void> }> {
  const scopes: string[] = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/token') {
      if (req.headers.authorization !== `Basic ${Buffer.from('bob:pw').toString('base64')}`) {
        res.writeHead(401).end();
        return;
      }
      scopes.push(...u.searchParams.getAll('scope'));
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: `tok:${u.searchParams.getAll('scope').join(' ')}`, expires_in: 300 }));
      return;
    }
    const origin = `http://${req.headers.host}`;
    const challenge = `Bearer realm="${origin}/token",service="test"`;
    if (u.pathname === '/v2/') {
      res.writeHead(401, { 'WWW-Authenticate': challenge }).end();
      return;
    }
    if (req.headers.authorization === 'Bearer tok:repository:a/b:pull') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('secret');
      return;
    }
    res.writeHead(401, { 'WWW-Authenticate': `${challenge},scope="repository:a/b:pull"` }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, scopes, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

test('RegistrySession follows the bearer token flow with basic credentials, and caches the token per scope', async () => {
  const reg = await tokenRegistry();
  const transport = new Transport([]);
  try {
    const s = new RegistrySession(transport, { host: reg.host, schemes: ['https', 'http'], mirror: false }, { username: 'bob', password: 'pw' });
    for (let i = 0; i < 2; i++) {
      const res = await s.request('/v2/a/b/blobs/x', { scopes: ['repository:a/b:pull'] });
      assert.equal(res.status, 200);
      res.body.resume();
    }
    assert.equal(s.origin, reg.origin); // https refused on a plain port: http on loopback
    assert.deepEqual(reg.scopes, ['repository:a/b:pull']);
    const wrong = new RegistrySession(transport, { host: reg.host, schemes: ['http'], mirror: false }, { username: 'bob', password: 'no' });
    await assert.rejects(wrong.request('/v2/a/b/blobs/x', { scopes: ['repository:a/b:pull'] }), /unauthorized: incorrect username or password/);
  } finally {
    transport.close();
    await reg.close();
  }
});
