import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRunMount } from './run-mounts.js';

test('parseRunMount() reads BuildKit\'s keys and defaults for each type', () => {
  assert.deepEqual(parseRunMount('type=cache,target=/root/.cache', '/', 3), { type: 'cache', target: '/root/.cache', id: '/root/.cache', source: '', readOnly: false, mode: 0o755, uid: 0, gid: 0 });
  assert.deepEqual(parseRunMount('type=cache,id=apt,dst=cache,mode=0700,uid=10,gid=20,ro', '/w', 3), { type: 'cache', target: '/w/cache', id: 'apt', source: '', readOnly: true, mode: 0o700, uid: 10, gid: 20 });
  assert.deepEqual(parseRunMount('target=/src', '/', 3), { type: 'bind', target: '/src', source: '', readWrite: false });
  assert.deepEqual(parseRunMount('type=bind,from=build,source=/out,target=/in,rw', '/', 3), { type: 'bind', target: '/in', source: '/out', from: 'build', readWrite: true });
  assert.deepEqual(parseRunMount('type=tmpfs,target=/t,size=1048576', '/', 3), { type: 'tmpfs', target: '/t', size: 1048576 });
  assert.deepEqual(parseRunMount('type=secret,id=token', '/', 3), { type: 'secret', target: '/run/secrets/token', id: 'token', required: false });
  assert.throws(() => parseRunMount('type=cache', '/', 3), /line 3: mount destination must be set/);
  assert.throws(() => parseRunMount('type=bogus,target=/x', '/', 3), /unsupported mount type "bogus"/);
  assert.throws(() => parseRunMount('type=cache,target=/x,colour=red', '/', 3), /unexpected key 'colour'/);
  assert.throws(() => parseRunMount('type=ssh', '/', 3), /SSH agent/);
});
