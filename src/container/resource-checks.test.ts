import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUintList, validateCpuResources, type HostCpus } from './resource-checks.js';

const TWO: HostCpus = { count: 2, cpuset: { cpus: '0-1', mems: '0' } };
const none = { NanoCpus: 0, CpuPeriod: 0, CpuQuota: 0, CpusetCpus: '', CpusetMems: '' };
const check = (over: Partial<typeof none>, host: HostCpus = TWO): void => validateCpuResources({ ...none, ...over }, host);

test('validateCpuResources() bounds --cpus by the host\'s CPU count, in dockerd\'s words', () => {
  check({ NanoCpus: 2e9 });
  check({ NanoCpus: 1e7 });
  const range = { message: 'Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available' };
  assert.throws(() => check({ NanoCpus: 9999e9 }), range);
  assert.throws(() => check({ NanoCpus: 2e9 + 1 }), range);
  assert.throws(() => check({ NanoCpus: -1 }), range);
  assert.throws(() => check({ NanoCpus: 9e9 }, { count: 8 }), { message: 'Range of CPUs is from 0.01 to 8.00, as there are only 8 CPUs available' });
  check({ NanoCpus: 8e9 }, { count: 8 });
});

test('validateCpuResources() refuses --cpus with --cpu-period or --cpu-quota, and CFS values out of bounds', () => {
  assert.throws(() => check({ NanoCpus: 1e9, CpuPeriod: 100000 }), { name: 'InvalidArgumentError', message: 'Conflicting options: Nano CPUs and CPU Period cannot both be set' });
  assert.throws(() => check({ NanoCpus: 1e9, CpuQuota: 50000 }), { message: 'Conflicting options: Nano CPUs and CPU Quota cannot both be set' });
  check({ CpuPeriod: 100000, CpuQuota: 50000 });
  check({ CpuQuota: -1 });
  const period = { message: 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)' };
  assert.throws(() => check({ CpuPeriod: 999 }), period);
  assert.throws(() => check({ CpuPeriod: 1000001 }), period);
  assert.throws(() => check({ CpuQuota: 999 }), { message: 'CPU cfs quota can not be less than 1ms (i.e. 1000)' });
});

test('validateCpuResources() refuses --cpuset-cpus and --cpuset-mems the host does not have', () => {
  check({ CpusetCpus: '0-1', CpusetMems: '0' });
  check({ CpusetCpus: '1,0,1-1' });
  assert.throws(() => check({ CpusetCpus: '0-99' }), { message: 'Requested CPUs are not available - requested 0-99, available: 0-1' });
  assert.throws(() => check({ CpusetCpus: '2' }), { message: 'Requested CPUs are not available - requested 2, available: 0-1' });
  assert.throws(() => check({ CpusetMems: '1' }), { message: 'Requested memory nodes are not available - requested 1, available: 0' });
  assert.throws(() => check({ CpusetCpus: '0-x' }), { message: 'Invalid value 0-x for cpuset cpus: invalid format: 0-x' });
  assert.throws(() => check({ CpusetCpus: '3-1' }), { message: 'Invalid value 3-1 for cpuset cpus: invalid format: 3-1' });
  assert.throws(() => check({ CpusetCpus: '0-100000' }), { message: 'Invalid value 0-100000 for cpuset cpus: value of out range, maximum is 8192' });
  assert.throws(() => check({ CpusetMems: ',' }), { message: 'Invalid value , for cpuset mems: invalid format: ,' });
  check({ CpusetCpus: '0-99' }, { count: 2 });
});

test('parseUintList() reads cgroup lists as dockerd does', () => {
  assert.deepEqual([...parseUintList('0,3-4,7,8-10', 0)], [0, 3, 4, 7, 8, 9, 10]);
  assert.deepEqual([...parseUintList('03,1-3', 0)].sort(), [1, 2, 3]);
  assert.deepEqual([...parseUintList('', 0)], []);
  assert.throws(() => parseUintList('-1', 0), /invalid format: -1/);
  assert.throws(() => parseUintList('1-2-3', 0), /invalid format/);
  assert.throws(() => parseUintList('99999999999999999999', 0), /invalid format/);
});
