import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capabilityWords, cgroupProcsFiles } from './probe-spawn.js';

test('capabilityWords() sets each named capability\'s bit, low word first, with or without CAP_', () => {
  assert.deepEqual(capabilityWords(['CAP_CHOWN', 'KILL']), [0b100001, 0]);
  assert.deepEqual(capabilityWords(['CAP_SYS_ADMIN', 'CAP_AUDIT_READ', 'CAP_CHECKPOINT_RESTORE']), [1 << 21, (1 << 5) | (1 << 8)]);
  assert.deepEqual(capabilityWords(['CAP_SETFCAP']), [2 ** 31, 0]);
  assert.deepEqual(capabilityWords(['CAP_NOT_A_CAP']), [0, 0]);
  assert.deepEqual(capabilityWords(undefined), [0, 0]);
});

const MOUNTINFO = [
  '30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
  '34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd',
  '40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');

test('cgroupProcsFiles() lists each hierarchy once: shared v1 controllers, named hierarchies and the unified tree', () => {
  const proc = ['4:memory:/berth/c1', '2:cpu,cpuacct:/berth/c1', '1:name=systemd:/berth/c1', '0::/berth/c1', ''].join('\n');
  assert.deepEqual(cgroupProcsFiles(proc, MOUNTINFO), [
    '/sys/fs/cgroup/memory/berth/c1/cgroup.procs',
    '/sys/fs/cgroup/cpu,cpuacct/berth/c1/cgroup.procs',
    '/sys/fs/cgroup/systemd/berth/c1/cgroup.procs',
    '/sys/fs/cgroup/unified/berth/c1/cgroup.procs',
  ]);
});

test('cgroupProcsFiles() on a v2-only host: the one unified directory', () => {
  const v2 = '25 1 0:23 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate';
  assert.deepEqual(cgroupProcsFiles('0::/berth/c2\n', v2), ['/sys/fs/cgroup/berth/c2/cgroup.procs']);
});
