import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Router, type RequestContext } from '../server/index.js';
import { NOT_A_MANAGER, NOT_IN_A_SWARM, swarmRoutes } from './swarm.js';

async function call(r: Router, method: string, path: string, opts: { body?: string; query?: string } = {}): Promise<{ kind: string; message: string }> {
  const found = r.match(method, path);
  assert.ok(found && found !== 'method', `${method} ${path} is routed`);
  const ctx = {
    params: found.params, query: new URLSearchParams(opts.query ?? ''),
    body: async (decode?: (t: string) => unknown) => (decode ? decode(opts.body ?? '') : undefined),
  } as unknown as RequestContext;
  try {
    await found.handler(ctx);
    return { kind: 'ok', message: '' };
  } catch (e) {
    return { kind: (e as { kind: string }).kind, message: (e as Error).message };
  }
}

test('swarm endpoints answer as a node outside a swarm: 503 with dockerd\'s texts', async () => {
  const r = new Router();
  swarmRoutes(r);
  assert.deepEqual(await call(r, 'POST', '/swarm/leave', { query: 'force=1' }), { kind: 'unavailable', message: NOT_IN_A_SWARM });
  for (const [m, p] of [
    ['GET', '/swarm'], ['GET', '/swarm/unlockkey'], ['POST', '/swarm/update'], ['POST', '/swarm/unlock'],
    ['GET', '/nodes'], ['GET', '/nodes/x'], ['DELETE', '/nodes/x'], ['POST', '/nodes/x/update'],
    ['GET', '/services'], ['POST', '/services/create'], ['GET', '/services/x'], ['POST', '/services/x/update'], ['DELETE', '/services/x'], ['GET', '/services/x/logs'],
    ['GET', '/tasks'], ['GET', '/tasks/x'], ['GET', '/tasks/x/logs'],
    ['GET', '/secrets'], ['POST', '/secrets/create'], ['GET', '/secrets/x'], ['DELETE', '/secrets/x'], ['POST', '/secrets/x/update'],
    ['GET', '/configs'], ['POST', '/configs/create'], ['GET', '/configs/x'], ['DELETE', '/configs/x'], ['POST', '/configs/x/update'],
  ] as const) {
    assert.deepEqual(await call(r, m, p), { kind: 'unavailable', message: NOT_A_MANAGER }, `${m} ${p}`);
  }
  assert.equal((await call(r, 'POST', '/swarm/init', { body: '{"ListenAddr":"0.0.0.0:2377"}' })).kind, 'not-implemented');
});

test('swarm endpoints check bodies and filters before answering', async () => {
  const r = new Router();
  swarmRoutes(r);
  assert.deepEqual(await call(r, 'POST', '/services/create', { body: '[]' }), {
    kind: 'invalid-argument', message: 'invalid JSON: json: cannot unmarshal array into Go value of type swarm.ServiceSpec',
  });
  assert.equal((await call(r, 'POST', '/swarm/join', { body: '{' })).message, 'invalid JSON: unexpected EOF');
  assert.equal((await call(r, 'GET', '/services', { query: 'filters=nope' })).kind, 'invalid-argument');
  assert.equal((await call(r, 'GET', '/services', { query: 'filters={"name":["x"]}' })).kind, 'unavailable');
});
