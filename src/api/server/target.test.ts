import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanPathRedirect, decodeSegment, parseRequestTarget } from './target.js';

test('parseRequestTarget() splits path and query without resolving an authority', () => {
  assert.deepEqual(parseRequestTarget('//a:99999/_ping').rawPath, '//a:99999/_ping');
  assert.equal(parseRequestTarget('/v1.47/containers/json?all=1&x').query.get('all'), '1');
  assert.equal(parseRequestTarget('http://x/v1.47/_ping?a=b').rawPath, '/v1.47/_ping');
  assert.throws(() => parseRequestTarget('//%zz'), { message: 'invalid URL escape "%zz"' });
  assert.throws(() => parseRequestTarget('/_ping?a=%4'), { message: 'invalid URL escape "%4"' });
  assert.throws(() => parseRequestTarget('*'), /expected an absolute path/);
});

test('decodeSegment() never throws on escapes that are not UTF-8', () => {
  assert.equal(decodeSegment('a%2Fb%20c'), 'a/b c');
  assert.equal(decodeSegment('%ff'), '\ufffd');
  assert.equal(decodeSegment('caf%C3%A9'), 'café');
});

test('cleanPathRedirect() follows Go path.Clean and keeps a trailing slash', () => {
  assert.equal(cleanPathRedirect('/v1.47/_ping'), undefined);
  assert.equal(cleanPathRedirect('//a:b'), '/a:b');
  assert.equal(cleanPathRedirect('//['), '/[');
  assert.equal(cleanPathRedirect('/v1.47/../_ping'), '/_ping');
  assert.equal(cleanPathRedirect('/containers/json/'), undefined);
  assert.equal(cleanPathRedirect('/a/./b/'), '/a/b/');
});
