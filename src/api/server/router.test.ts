import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Router, json } from './router.js';
import { compareVersions, splitVersion } from './version.js';

test('Router matches one-segment and rest-of-path parameters', () => {
  const r = new Router();
  r.get('/containers/{id}/json', () => json('c'));
  r.get('/images/{name*}/json', () => json('i'));
  const c = r.match('GET', '/containers/abc/json');
  assert.ok(c && c !== 'method');
  assert.deepEqual(c.params, { id: 'abc' });
  const i = r.match('GET', '/images/example.com/team/tool:v1/json');
  assert.ok(i && i !== 'method');
  assert.deepEqual(i.params, { name: 'example.com/team/tool:v1' });
  assert.equal(r.match('POST', '/containers/abc/json'), 'method');
  assert.equal(r.match('GET', '/containers/abc/nope'), undefined);
});

test('splitVersion() and compareVersions() read /vX.Y prefixes numerically', () => {
  assert.deepEqual(splitVersion('/v1.47/containers/json'), { version: '1.47', path: '/containers/json' });
  assert.deepEqual(splitVersion('/_ping'), { version: undefined, path: '/_ping' });
  assert.ok(compareVersions('1.9', '1.24') < 0);
  assert.equal(compareVersions('1.40', '1.40'), 0);
});
