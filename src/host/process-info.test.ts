import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { readProcessStatus } from './process-info.js';

test('readProcessStatus() reads parent, owner, state and argv from /proc; undefined once the process is gone', async () => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'a (b) c'], { stdio: 'ignore' });
  await once(child, 'spawn');
  const st = readProcessStatus(child.pid!);
  assert.ok(st);
  assert.equal(st.pid, child.pid);
  assert.equal(st.ppid, process.pid);
  assert.equal(st.uid, process.getuid!());
  assert.equal(st.gid, process.getgid!());
  assert.match(st.state, /^[RSD]$/);
  assert.ok(st.startTicks > 0);
  assert.deepEqual(st.argv.slice(1), ['-e', 'setInterval(() => {}, 1000)', 'a (b) c']);
  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.equal(readProcessStatus(child.pid!), undefined);
});
