import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../base/index.js';
import { detachKeysParam } from './attach.js';

test('detachKeysParam() reads moby/term key names, single characters and DEL', () => {
  assert.deepEqual([...detachKeysParam('')], [16, 17]);
  assert.deepEqual([...detachKeysParam('ctrl-p,ctrl-q')], [16, 17]);
  assert.deepEqual([...detachKeysParam('ctrl-@,ctrl-a,ctrl-z,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_')], [0, 1, 26, 27, 28, 29, 30, 31]);
  assert.deepEqual([...detachKeysParam('a,b,DEL')], [97, 98, 127]);
});

test('detachKeysParam() refuses unknown keys with dockerd wording', () => {
  for (const bad of ['a,,b', 'ctrl-P', 'ctrl-', 'ab', 'ctrl-p,xy', 'ctrl-1', 'é']) {
    assert.throws(() => detachKeysParam(bad), (e: unknown) => e instanceof InvalidArgumentError && e.message === `Invalid detach keys (${bad}) provided`);
  }
});
