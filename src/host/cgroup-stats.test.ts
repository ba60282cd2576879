import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cgroupDirs, cgroupMounts, parseNetDev, parseProcStat, readCgroupSample } from './cgroup-stats.js';

const TESTDATA = join('src', 'host', 'testdata', 'cgroup');

const HYBRID = [
  '30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,release_agent=/x,name=systemd',
  '40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');

test('cgroupDirs() finds each v1 controller\'s directory of a process on a hybrid host', () => {
  const at = cgroupDirs('4:memory:/berth/abc\n2:cpuacct:/berth/abc\n1:cpu:/berth/abc\n9:name=systemd:/\n0::/\n', cgroupMounts(HYBRID));
  assert.equal(at?.version, 1);
  assert.deepEqual(Object.fromEntries(at.version === 1 ? at.dirs : []), {
    memory: '/sys/fs/cgroup/memory/berth/abc', cpuacct: '/sys/fs/cgroup/cpuacct/berth/abc', cpu: '/sys/fs/cgroup/cpu/berth/abc', 'name=systemd': '/sys/fs/cgroup/systemd',
  });
});

test('cgroupDirs() uses the unified tree when /sys/fs/cgroup is cgroup2, and respects a mount\'s root', () => {
  const v2 = cgroupMounts('30 25 0:26 /kubepods /sys/fs/cgroup rw,relatime shared:1 - cgroup2 cgroup2 rw');
  assert.deepEqual(cgroupDirs('0::/kubepods/berth/abc\n', v2), { version: 2, dir: '/sys/fs/cgroup/berth/abc' });
  assert.equal(cgroupDirs('0::/elsewhere\n', v2), undefined);
});

test('readCgroupSample() reads cgroup v2 files as dockerd reports them', async () => {
  const s = await readCgroupSample({ version: 2, dir: join(TESTDATA, 'v2') });
  assert.deepEqual(s.cpu, { totalNs: 2_500_000_000, perCpuNs: [], userNs: 2_000_000_000, kernelNs: 500_000_000, periods: 10, throttledPeriods: 2, throttledTimeNs: 3_000_000 });
  assert.equal(s.memory.usage, 5_300_000);
  assert.equal(s.memory.limit, undefined, '"max" is no limit');
  assert.equal(s.memory.stats.inactive_file, 4_000_000);
  assert.deepEqual(s.pids, { current: 3, limit: 100 });
  assert.deepEqual(s.blkio.serviceBytes, [
    { major: 8, minor: 0, op: 'read', value: 4096 }, { major: 8, minor: 0, op: 'write', value: 8192 },
    { major: 253, minor: 1, op: 'read', value: 10 }, { major: 253, minor: 1, op: 'write', value: 0 },
  ]);
  assert.deepEqual(s.blkio.serviced[1], { major: 8, minor: 0, op: 'write', value: 2 });
});

test('readCgroupSample() reads cgroup v1 controllers, throttle counters when CFQ keeps none', async () => {
  const dirs = new Map(['cpu', 'cpuacct', 'memory', 'pids', 'blkio'].map((c) => [c, join(TESTDATA, 'v1', c)]));
  const s = await readCgroupSample({ version: 1, dirs });
  assert.deepEqual(s.cpu, { totalNs: 3_000_000_000, perCpuNs: [1_000_000_000, 2_000_000_000], userNs: 2_500_000_000, kernelNs: 500_000_000, periods: 4, throttledPeriods: 1, throttledTimeNs: 777 });
  assert.equal(s.memory.limit, undefined, 'the v1 "unlimited" value is no limit');
  assert.equal(s.memory.maxUsage, 6_000_000);
  assert.equal(s.memory.stats.total_inactive_file, 4_000_000);
  assert.deepEqual(s.pids, { current: 2 });
  assert.deepEqual(s.blkio.serviceBytes.slice(0, 2), [{ major: 8, minor: 0, op: 'Read', value: 12288 }, { major: 8, minor: 0, op: 'Write', value: 4096 }]);
  assert.equal(s.blkio.serviced.length, 3);
});

test('parseProcStat() sums user..steal ticks in ns and counts the CPUs', () => {
  const text = 'cpu  100 0 50 1000 10 0 5 0 7 0\ncpu0 50 0 25 500 5 0 2 0 0 0\ncpu1 50 0 25 500 5 0 3 0 0 0\nintr 1\n';
  assert.deepEqual(parseProcStat(text), { systemNs: 1165 * 10_000_000, onlineCpus: 2 });
});

test('parseNetDev() lists every interface but loopback', () => {
  const text = [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    '    lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0',
    '  eth0:    1500      12    1    2    0     0          0         0      900       8    3    4    0     0       0          0',
  ].join('\n');
  assert.deepEqual(parseNetDev(text), { eth0: { rxBytes: 1500, rxPackets: 12, rxErrors: 1, rxDropped: 2, txBytes: 900, txPackets: 8, txErrors: 3, txDropped: 4 } });
});
