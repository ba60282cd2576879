import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePsOutput, validatePsArgs } from './top.js';

const PS = `UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 19:00 ?        00:00:01 /sbin/init
root        4242    4200  0 19:01 ?        00:00:00 sleep 1000 --with args
root        4300    4242  0 19:01 pts/0    00:00:00 sh
`;

test('parsePsOutput() keeps the container\'s processes and joins a command\'s words into the last column', () => {
  const r = parsePsOutput(PS, new Set([4242, 4300]));
  assert.deepEqual(r.titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
  assert.deepEqual(r.processes, [
    ['root', '4242', '4200', '0', '19:01', '?', '00:00:00', 'sleep 1000 --with args'],
    ['root', '4300', '4242', '0', '19:01', 'pts/0', '00:00:00', 'sh'],
  ]);
});

test('parsePsOutput() refuses a table without a PID column, as dockerd', () => {
  assert.throws(() => parsePsOutput('USER COMMAND\nroot sh\n', new Set([1])), /Couldn't find PID field in ps output/);
});

test('validatePsArgs() refuses renaming another column PID', () => {
  assert.doesNotThrow(() => validatePsArgs('-o pid=PID,comm'));
  assert.throws(() => validatePsArgs('-o user=PID'), /specifying "user=PID" is not allowed/);
});
