import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dockerWording } from './runtime-adapter.js';

test('dockerWording() reports crun exec failures in runc\'s words, which clients map to 126/127', () => {
  assert.equal(dockerWording('executable file `nosuch` not found in $PATH: No such file or directory'), 'exec: "nosuch": executable file not found in $PATH');
  assert.equal(dockerWording('open executable: Permission denied'), 'open executable: permission denied');
  assert.equal(dockerWording('runc create failed: unable to start container process: exec: "x": executable file not found in $PATH'),
    'runc create failed: unable to start container process: exec: "x": executable file not found in $PATH');
});
