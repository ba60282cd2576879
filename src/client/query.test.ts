import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildQuery, compareVersions } from './query.js';

test('buildQuery() encodes booleans as 1, repeats lists and drops empty values', () => {
  assert.equal(buildQuery({ all: true, size: false, limit: 3, name: '', x: undefined, changes: ['CMD ["sh"]', 'ENV A=1'] }), '?all=1&limit=3&changes=CMD+%5B%22sh%22%5D&changes=ENV+A%3D1');
  assert.equal(buildQuery({}), '');
});

test('compareVersions() compares API versions numerically', () => {
  assert.equal(compareVersions('1.41', '1.5'), 1);
  assert.equal(compareVersions('1.50', '1.50'), 0);
  assert.equal(compareVersions('1.24', '1.100'), -1);
});
