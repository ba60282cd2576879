import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RuntimeProcess } from '../../oci/index.js';
import { buildExecProcess } from './exec-process.js';

const base: RuntimeProcess = {
  terminal: true, consoleSize: { height: 24, width: 80 },
  user: { uid: 1000, gid: 1000, additionalGids: [1000] },
  args: ['sh'], env: ['PATH=/bin', 'HOSTNAME=abc123', 'TERM=xterm', 'FOO=container'], cwd: '/work',
  capabilities: { bounding: ['CAP_CHOWN'], effective: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'] },
  rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }], noNewPrivileges: true, apparmorProfile: 'docker-default',
};
const user = { uid: 0, gid: 0, additionalGids: [10] };

test('buildExecProcess() keeps the container\'s confinement and takes the exec\'s argv, user and terminal', () => {
  const p = buildExecProcess(base, { args: ['ls', '-l'], env: ['FOO=exec'], cwd: '', user, tty: false, privileged: false }, { hostCapabilities: ['CAP_CHOWN', 'CAP_SYS_ADMIN'] });
  assert.deepEqual(p.args, ['ls', '-l']);
  assert.equal(p.terminal, false);
  assert.equal(p.consoleSize, undefined);
  assert.equal(p.cwd, '/work');
  assert.deepEqual(p.user, { uid: 0, gid: 0, additionalGids: [0, 10] });
  assert.deepEqual(p.env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=abc123', 'FOO=exec']);
  assert.deepEqual(p.capabilities, base.capabilities);
  assert.deepEqual(p.rlimits, base.rlimits);
  assert.equal(p.noNewPrivileges, true);
  assert.equal(p.apparmorProfile, 'docker-default');
});

test('buildExecProcess() gives a TTY exec TERM and its size, and --privileged the host\'s capabilities', () => {
  const p = buildExecProcess(base, { args: ['sh'], env: [], cwd: '/tmp', user, tty: true, consoleSize: { height: 50, width: 120 }, privileged: true }, { hostCapabilities: ['CAP_CHOWN', 'CAP_SYS_ADMIN'] });
  assert.ok(p.env.includes('TERM=xterm'));
  assert.deepEqual(p.consoleSize, { height: 50, width: 120 });
  assert.equal(p.cwd, '/tmp');
  assert.deepEqual(p.capabilities?.bounding, ['CAP_CHOWN', 'CAP_SYS_ADMIN']);
  assert.deepEqual(p.capabilities?.effective, ['CAP_CHOWN', 'CAP_SYS_ADMIN']);
});
