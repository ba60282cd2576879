import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerRecord } from './config.js';
import { linkEnv, linkHosts, linkOpenings, storedLinks, type LinkedSource } from './links.js';

const source = (o: { env?: string[]; exposed?: Record<string, object> }): LinkedSource => ({
  link: { source: 'db', alias: 'my-db' },
  ip: '172.17.0.5',
  rec: { name: 'db', config: { Hostname: '6c5f2e3f7d0a', Env: o.env ?? [], ExposedPorts: o.exposed } } as unknown as ContainerRecord,
});

test('linkEnv() gives moby\'s variables: the first port, each port, the name, the source\'s env but PATH and HOME', () => {
  const env = linkEnv('web', source({ env: ['PATH=/bin', 'HOME=/root', 'PASSWORD=secret'], exposed: { '5432/tcp': {}, '53/udp': {}, '53/tcp': {} } }));
  assert.deepEqual(env, [
    'MY_DB_PORT=tcp://172.17.0.5:53',
    'MY_DB_PORT_53_TCP=tcp://172.17.0.5:53', 'MY_DB_PORT_53_TCP_ADDR=172.17.0.5', 'MY_DB_PORT_53_TCP_PORT=53', 'MY_DB_PORT_53_TCP_PROTO=tcp',
    'MY_DB_PORT_53_UDP=udp://172.17.0.5:53', 'MY_DB_PORT_53_UDP_ADDR=172.17.0.5', 'MY_DB_PORT_53_UDP_PORT=53', 'MY_DB_PORT_53_UDP_PROTO=udp',
    'MY_DB_PORT_5432_TCP=tcp://172.17.0.5:5432', 'MY_DB_PORT_5432_TCP_ADDR=172.17.0.5', 'MY_DB_PORT_5432_TCP_PORT=5432', 'MY_DB_PORT_5432_TCP_PROTO=tcp',
    'MY_DB_NAME=/web/my-db', 'MY_DB_ENV_PASSWORD=secret',
  ]);
  assert.deepEqual(linkEnv('web', source({})), ['MY_DB_NAME=/web/my-db'], 'no ports: no _PORT variables');
});

test('linkHosts() names the alias, the source\'s hostname and name; linkOpenings() each exposed port', () => {
  assert.equal(linkHosts(source({})), 'my-db 6c5f2e3f7d0a db:172.17.0.5');
  assert.deepEqual(linkOpenings('172.17.0.9', [source({ exposed: { '80/tcp': {} } })]), [{ receiverIp: '172.17.0.9', sourceIp: '172.17.0.5', port: 80, protocol: 'tcp' }]);
});

test('storedLinks() reads dockerd\'s stored form', () => {
  assert.deepEqual(storedLinks({ Links: ['/db:/web/my-db', '/cache:/web/cache'] }), [{ source: 'db', alias: 'my-db' }, { source: 'cache', alias: 'cache' }]);
  assert.deepEqual(storedLinks({ Links: null }), []);
});
