import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpusetFiles, parseCgroupMode, parseProcLimits, readHostRuntimeFacts } from './runtime-facts.js';
import { capabilitiesFromMask } from '../oci/index.js';

test('parseProcLimits() reads soft and hard limits, unlimited as Infinity', () => {
  const text = [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max core file size        0                    unlimited            bytes     ',
    'Max open files            20000                20000                files     ',
    'Max nice priority         0                    0                    ',
  ].join('\n');
  assert.deepEqual(parseProcLimits(text), {
    RLIMIT_CORE: { soft: 0, hard: Infinity },
    RLIMIT_NOFILE: { soft: 20000, hard: 20000 },
    RLIMIT_NICE: { soft: 0, hard: 0 },
  });
});

test('parseCgroupMode() tells hybrid, unified and legacy layouts apart', () => {
  const line = (mp: string, fs: string): string => `30 25 0:26 / ${mp} rw,relatime shared:1 - ${fs} ${fs} rw`;
  assert.deepEqual(parseCgroupMode([line('/sys/fs/cgroup', 'tmpfs'), line('/sys/fs/cgroup/cpu', 'cgroup'), line('/sys/fs/cgroup/unified', 'cgroup2')].join('\n')),
    { mode: 'hybrid', unifiedMount: '/sys/fs/cgroup/unified' });
  assert.deepEqual(parseCgroupMode(line('/sys/fs/cgroup', 'cgroup2')), { mode: 'unified', unifiedMount: '/sys/fs/cgroup' });
  assert.deepEqual(parseCgroupMode([line('/sys/fs/cgroup', 'tmpfs'), line('/sys/fs/cgroup/cpu', 'cgroup')].join('\n')), { mode: 'legacy' });
});

test('capabilitiesFromMask() names the bits of a CapBnd mask', () => {
  const caps = capabilitiesFromMask('000001fffeffffff');
  assert.equal(caps.length, 40);
  assert.ok(!caps.includes('CAP_SYS_RESOURCE'));
  assert.ok(caps.includes('CAP_CHECKPOINT_RESTORE'));
});

test('readHostRuntimeFacts() reads this host', async () => {
  const facts = await readHostRuntimeFacts();
  assert.ok(facts.capabilities.includes('CAP_CHOWN'));
  assert.ok(facts.rlimits['RLIMIT_NOFILE']!.hard > 0);
  assert.match(facts.kernelVersion, /^\d+\.\d+/);
  assert.ok(facts.cpuCount >= 1);
  if (facts.cpuset) assert.match(facts.cpuset.cpus, /^\d/);
  for (const p of facts.maskablePaths) assert.match(p, /^\/sys\/devices\/system\/cpu\/cpu\d+\/thermal_throttle$/);
});

test('cpusetFiles() finds the v1 cpuset hierarchy\'s root, or the own cgroup\'s effective sets under cgroup2', () => {
  const v1 = [
    '33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset',
    '34 30 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
  ].join('\n');
  assert.deepEqual(cpusetFiles(v1, '4:cpuset:/\n'), { cpus: '/sys/fs/cgroup/cpuset/cpuset.cpus', mems: '/sys/fs/cgroup/cpuset/cpuset.mems' });
  const v2 = '30 25 0:26 / /sys/fs/cgroup rw,relatime shared:1 - cgroup2 cgroup2 rw';
  assert.deepEqual(cpusetFiles(v2, '0::/system.slice/berth.service\n'),
    { cpus: '/sys/fs/cgroup/system.slice/berth.service/cpuset.cpus.effective', mems: '/sys/fs/cgroup/system.slice/berth.service/cpuset.mems.effective' });
  assert.deepEqual(cpusetFiles(v2, '0::/\n'), { cpus: '/sys/fs/cgroup/cpuset.cpus.effective', mems: '/sys/fs/cgroup/cpuset.mems.effective' });
  assert.equal(cpusetFiles('30 25 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw', ''), undefined);
});
