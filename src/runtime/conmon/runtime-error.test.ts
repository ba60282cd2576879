import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractRuntimeMessage, OciRuntimeError, startFailureExitCode } from './runtime-error.js';
import { parseSyncReport } from './conmon-runtime.js';
import { checkId } from './layout.js';

test('extractRuntimeMessage() unquotes runc logrus text', () => {
  const stderr = 'time="2026-11-21T22:19:14Z" level=error msg="runc create failed: unable to start container process: exec: \\"nosuch\\": executable file not found in $PATH"\n';
  assert.equal(extractRuntimeMessage(stderr), 'runc create failed: unable to start container process: exec: "nosuch": executable file not found in $PATH');
});

test('extractRuntimeMessage() reads crun plain and JSON lines', () => {
  assert.equal(extractRuntimeMessage('crun: cgroups in hybrid mode not supported\n'), 'cgroups in hybrid mode not supported');
  assert.equal(extractRuntimeMessage('{"msg":"container not running","level":"error"}\n'), 'container not running');
});

test('OciRuntimeError() reads like Docker and keeps the runtime text', () => {
  const e = new OciRuntimeError('create', 'runc create failed: boom');
  assert.equal(e.message, 'OCI runtime create failed: runc create failed: boom: unknown');
  assert.equal(e.runtimeMessage, 'runc create failed: boom');
  assert.equal(e.kind, 'internal');
});

test('startFailureExitCode() maps not-found to 127 and cannot-invoke to 126', () => {
  assert.equal(startFailureExitCode('exec: "nosuch": executable file not found in $PATH'), 127);
  assert.equal(startFailureExitCode('exec: "/bin": is a directory'), 126);
  assert.equal(startFailureExitCode('exec: "/etc/passwd": permission denied'), 126);
  assert.equal(startFailureExitCode('something else'), 128);
});

test('parseSyncReport() reads conmon api v1 and legacy reports', () => {
  assert.deepEqual(parseSyncReport('{"data": 8488}'), { pid: 8488, message: undefined });
  assert.deepEqual(parseSyncReport('{"pid": -1, "message": "boom"}'), { pid: -1, message: 'boom' });
  assert.equal(parseSyncReport(undefined), undefined);
  assert.equal(parseSyncReport('not json'), undefined);
});

test('checkId() refuses ids that could escape the exec root', () => {
  assert.equal(checkId('abc_DEF-1'), 'abc_DEF-1');
  for (const bad of ['', '../x', 'a/b', 'a.b', '.hidden']) assert.throws(() => checkId(bad), { name: 'InvalidArgumentError' });
});
