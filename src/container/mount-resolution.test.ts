import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerRecord } from './config.js';
import { locateContainerPath } from './mount-resolution.js';

const rec = {
  hostConfig: { ReadonlyRootfs: true },
  mountPoints: [
    { type: 'bind', source: '/srv/www', destination: '/var/www', readOnly: true },
    { type: 'volume', name: 'data', source: '/vols/data/_data', destination: '/var/www/data/', readOnly: false, noCopy: false },
    { type: 'volume', name: 'sub', source: '/vols/sub/_data', subpath: 'a/b', destination: '/sub', readOnly: false, noCopy: false },
    { type: 'tmpfs', destination: '/run', readOnly: false },
  ],
} as unknown as Pick<ContainerRecord, 'mountPoints' | 'hostConfig'>;

test('locateContainerPath() maps a container path through the deepest mount that holds it', () => {
  assert.deepEqual(locateContainerPath(rec, '/etc/passwd'), { kind: 'rootfs', rel: 'etc/passwd', readOnly: true });
  assert.deepEqual(locateContainerPath(rec, '/var/wwwx'), { kind: 'rootfs', rel: 'var/wwwx', readOnly: true });
  const www = locateContainerPath(rec, '/var/www/index.html');
  assert.equal(www.kind, 'mount');
  assert.deepEqual(www.kind === 'mount' && [www.hostRoot, www.rel, www.readOnly], ['/srv/www', 'index.html', true]);
  const data = locateContainerPath(rec, '/var/www/./data/../data/db/x');
  assert.deepEqual(data.kind === 'mount' && [data.hostRoot, data.rel, data.readOnly], ['/vols/data/_data', 'db/x', false]);
  const root = locateContainerPath(rec, '/var/www/data');
  assert.deepEqual(root.kind === 'mount' && [root.hostRoot, root.rel], ['/vols/data/_data', '']);
  const sub = locateContainerPath(rec, '/sub/f');
  assert.deepEqual(sub.kind === 'mount' && [sub.hostRoot, sub.rel], ['/vols/sub/_data/a/b', 'f']);
  assert.equal(locateContainerPath(rec, '/run/x.pid').kind, 'tmpfs');
});
