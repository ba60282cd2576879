import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchFilterPattern } from './filters.js';

test('matchFilterPattern() matches exactly or as an unanchored expression, as dockerd', () => {
  assert.equal(matchFilterPattern('web', '/web-1'), true);
  assert.equal(matchFilterPattern('^/web$', '/web'), true);
  assert.equal(matchFilterPattern('/web', '/web'), true);
  assert.equal(matchFilterPattern('^web', '/web'), false);
  assert.equal(matchFilterPattern('db', '/web'), false);
});

test('matchFilterPattern() treats an invalid expression as no match instead of failing', () => {
  assert.equal(matchFilterPattern('a(', '/b'), false);
  assert.equal(matchFilterPattern('[', '/x'), false);
  assert.equal(matchFilterPattern('a(', 'a('), true);
});
