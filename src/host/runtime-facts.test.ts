import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCgroupMode, parseProcLimits, readHostRuntimeFacts } from './runtime-facts.js';
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
});
