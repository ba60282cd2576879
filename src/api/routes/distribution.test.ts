import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeRegistryAuth } from './distribution.js';

const enc = (v: unknown, url = true): string => Buffer.from(JSON.stringify(v)).toString(url ? 'base64url' : 'base64');

test('decodeRegistryAuth() reads base64url and base64 AuthConfig, the "auth" pair, and ignores garbage', () => {
  assert.deepEqual(decodeRegistryAuth(enc({ username: 'a', password: 'p?>', serveraddress: 'x' })), { username: 'a', password: 'p?>' });
  assert.deepEqual(decodeRegistryAuth(enc({ username: 'a', password: 'p?>' }, false)), { username: 'a', password: 'p?>' });
  assert.deepEqual(decodeRegistryAuth(enc({ auth: Buffer.from('u:pa:ss').toString('base64') })), { username: 'u', password: 'pa:ss' });
  assert.deepEqual(decodeRegistryAuth(enc({ identitytoken: 'tok' })), { identityToken: 'tok' });
  assert.deepEqual(decodeRegistryAuth('e30='), {});
  assert.deepEqual(decodeRegistryAuth('%%%not base64'), {});
  assert.deepEqual(decodeRegistryAuth(enc('a string')), {});
  assert.deepEqual(decodeRegistryAuth(undefined), {});
});
