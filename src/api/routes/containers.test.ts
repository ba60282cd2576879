import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CreateRequest } from '../../container/index.js';
import { Router, type RequestContext } from '../server/index.js';
import { containerRoutes, type ContainerBackend } from './containers.js';

test('POST /containers/create hands the NetworkingConfig to the service with the config and host config', async () => {
  const seen: CreateRequest[] = [];
  const backend = { create: async (req: CreateRequest) => { seen.push(req); return { id: 'c0ffee', warnings: [] }; } } as unknown as ContainerBackend;
  const router = new Router();
  containerRoutes(router, backend, { rootfsDir: () => '', upperDir: () => '', workDir: () => '', imageSize: () => 0 });
  const route = router.match('POST', '/containers/create');
  assert.ok(route && route !== 'method');
  const body = JSON.stringify({
    Image: 'busybox', HostConfig: { NetworkMode: 'bridge' },
    NetworkingConfig: { EndpointsConfig: { bridge: { MacAddress: '02:42:AC:11:00:09', DriverOpts: { a: 'b' } } } },
  });
  const ctx = { params: route.params, query: new URLSearchParams('name=web'), version: '1.47', signal: new AbortController().signal, body: async (decode?: (t: string) => unknown) => (decode ? decode(body) : JSON.parse(body)) } as unknown as RequestContext;
  await route.handler(ctx);
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.name, 'web');
  assert.equal(seen[0]!.config.MacAddress, '02:42:ac:11:00:09');
  assert.deepEqual(seen[0]!.networkingConfig, { EndpointsConfig: { bridge: { MacAddress: '02:42:AC:11:00:09', DriverOpts: { a: 'b' } } } });
});
