import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { golden } from '../runtime/spec/golden.js';
import type { ContainerRecord } from './config.js';
import { normalizeConfig, normalizeHostConfig } from './declaration.js';
import { toSpecRequest, type StartFacts } from './spec-request.js';

const TESTDATA = join('src', 'container', 'testdata', 'spec-request');

const FACTS: StartFacts = {
  rootfs: '/var/lib/berth/containers/c0ffee/merged',
  user: { uid: 0, gid: 0, additionalGids: [10], home: '/root' },
  hostname: 'c0ffee',
  files: { hostname: '/d/c0ffee/hostname', hosts: '/d/c0ffee/hosts', resolvConf: '/d/c0ffee/resolv.conf' },
  network: { mode: 'bridge', path: '/run/berth/netns/c0ffee' },
};

function record(config: object, hostConfig: object): Pick<ContainerRecord, 'id' | 'path' | 'args' | 'config' | 'hostConfig'> {
  return { id: 'c0ffee', path: 'sh', args: ['-c', 'echo hi'], config: normalizeConfig({ Image: 'busybox', ...config }), hostConfig: normalizeHostConfig(hostConfig) };
}

test('toSpecRequest() of a plain container: defaults, HOME from the user, the bridge namespace', () => {
  golden('default', toSpecRequest(record({ Env: ['PATH=/bin'] }, {}), FACTS), { testdata: TESTDATA });
});

test('toSpecRequest() keeps the HOME the container sets and maps resources, ulimits, caps and security options', () => {
  golden('resources', toSpecRequest(record({ Env: ['HOME=/home/app'], WorkingDir: '/srv', Tty: true, OpenStdin: true, Domainname: 'example.org' }, {
    Memory: 64 << 20, MemorySwap: -1, NanoCpus: 1.5e9, CpuShares: 512, CpusetCpus: '0', PidsLimit: 100,
    Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }], CapAdd: ['NET_ADMIN'], CapDrop: ['MKNOD'], Init: true,
    SecurityOpt: ['no-new-privileges', 'seccomp=unconfined'], OomScoreAdj: 500, ReadonlyRootfs: true, ShmSize: 1 << 20,
  }), { ...FACTS, user: { uid: 1000, gid: 1000, additionalGids: [], home: '' }, network: { mode: 'host' } }), { testdata: TESTDATA });
});

test('toSpecRequest() drops zero and negative limits as unset', () => {
  golden('unset-limits', toSpecRequest(record({}, { PidsLimit: -1, OomScoreAdj: 0, CpuQuota: 0 }), { ...FACTS, network: { mode: 'none' } }), { testdata: TESTDATA });
});

test('toSpecRequest() carries binds, tmpfs and resolved volumes as the spec\'s mounts', () => {
  golden('mounts', toSpecRequest(record({}, {
    Binds: ['/srv:/srv:ro,rslave', 'data:/data'], Tmpfs: { '/run': 'size=1m' },
    Mounts: [{ Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 4096, Mode: 0o700 } }],
  }), { ...FACTS, volumePath: (name) => `/var/lib/berth/volumes/${name}/_data` }), { testdata: TESTDATA });
  assert.throws(() => toSpecRequest(record({}, { Binds: ['data:/data'] }), FACTS), /Cannot mount volume "data" at \/data/);
});

test('toSpecRequest() refuses the memory limits dockerd refuses (the one copy of the check)', () => {
  assert.throws(() => toSpecRequest(record({}, { Memory: 1024 }), FACTS), /^InvalidArgumentError: Minimum memory limit allowed is 6MB$|Minimum memory limit allowed is 6MB/);
  assert.throws(() => toSpecRequest(record({}, { Memory: 64 << 20, MemorySwap: 32 << 20 }), FACTS), /Minimum memoryswap limit should be larger than memory limit, see usage/);
  assert.throws(() => toSpecRequest(record({}, { MemorySwap: 64 << 20 }), FACTS), /You should always set the Memory limit when using Memoryswap limit, see usage/);
});
