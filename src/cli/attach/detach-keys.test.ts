import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EscapeError } from './detach-keys.js';

test('EscapeError says what the docker CLI prints on detach', () => {
  assert.equal(new EscapeError().message, 'read escape sequence');
});
