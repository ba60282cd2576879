import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExecStore, type ExecRecord } from './exec-store.js';

const exec = (id: string, o: Partial<ExecRecord> = {}): ExecRecord => ({
  id, containerId: 'c1', running: false, exitCode: null, pid: 0, started: false, probe: false,
  config: { cmd: ['true'], env: [], user: '', workingDir: '', tty: false, privileged: false, attachStdin: false, attachStdout: true, attachStderr: true, detachKeys: '' },
  ...o,
});

test('ExecStore finds an exec by a unique prefix and answers dockerd\'s 404 text otherwise', () => {
  const s = new ExecStore();
  s.add(exec('abc111'));
  s.add(exec('abc222'));
  assert.equal(s.get('abc1').id, 'abc111');
  assert.throws(() => s.get('abc'), /No such exec instance: abc/);
  assert.throws(() => s.get('zzz'), /No such exec instance: zzz/);
});

test('ExecStore lists a container\'s execs that have not ended, probes left out', () => {
  const s = new ExecStore();
  s.add(exec('a'));
  s.add(exec('b', { running: true, started: true }));
  s.add(exec('c', { exitCode: 0, started: true }));
  s.add(exec('d', { probe: true }));
  s.add(exec('e', { containerId: 'c2' }));
  assert.deepEqual(s.idsOf('c1'), ['a', 'b']);
  s.dropContainer('c1');
  assert.deepEqual(s.idsOf('c1'), ['b']);
});
