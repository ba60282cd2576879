import { test } from 'node:test';
import assert from 'node:assert/strict';
import { golden } from './golden.js';
import { buildSpec } from './build-spec.js';
import type { SpecInput } from './spec-input.js';
import type { DockerSeccompProfile } from './seccomp.js';
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import { LINUX_CAPABILITIES } from '../../oci/index.js';


// A small profile exercising arch maps and capability/arch filters, so goldens stay readable.
const PROFILE: DockerSeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: ['read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW', args: [], comment: 'basics', includes: {}, excludes: {} },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    { names: ['arm_fadvise64_64'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm', 'arm64'] } },
    { names: ['chroot'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_CHROOT'] } },
    { names: ['bpf'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['bpf'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['clone3'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '5.3' } },
    { names: ['future_call'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '99.0' } },
  ],
};

const HOST_CAPS = LINUX_CAPABILITIES.filter((c) => c !== 'CAP_SYS_RESOURCE');

function input(over: Partial<SpecInput> = {}): SpecInput {
  return {
    id: 'c0ffee',
    rootfs: '/var/lib/berth/containers/c0ffee/merged',
    readonlyRootfs: false,
    args: ['sh', '-c', 'echo hi'],
    env: ['PATH=/usr/bin:/bin', 'FOO=bar'],
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [10] },
    tty: false,
    openStdin: false,
    hostname: 'c0ffee',
    files: {
      hostname: '/var/lib/berth/containers/c0ffee/hostname',
      hosts: '/var/lib/berth/containers/c0ffee/hosts',
      resolvConf: '/var/lib/berth/containers/c0ffee/resolv.conf',
    },
    namespaces: { network: { mode: 'bridge', path: '/run/berth/netns/c0ffee' } },
    resources: {},
    ulimits: [],
    privileged: false,
    capAdd: [],
    capDrop: [],
    init: false,
    cgroupsPath: '/berth/c0ffee',
    seccomp: 'default',
    noNewPrivileges: false,
    extraMounts: [],
    hostCapabilities: HOST_CAPS,
    hostRlimits: { RLIMIT_NOFILE: { soft: 20000, hard: 20000 }, RLIMIT_NPROC: { soft: 96365, hard: 96365 }, RLIMIT_CORE: { soft: 0, hard: Infinity } },
    hostDevices: [
      { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
      { path: '/dev/sda', type: 'b', major: 8, minor: 0, fileMode: 0o660, uid: 0, gid: 6 },
    ],
    seccompProfile: PROFILE,
    kernelVersion: '6.1.0-18-amd64',
    arch: 'x64',
    ...over,
  };
}

test('buildSpec() default container matches Docker confinement (golden)', () => {
  const spec = buildSpec(input());
  golden('default', spec);
  assert.deepEqual(spec.process.capabilities?.effective, DEFAULT_CAPABILITIES);
  assert.ok(spec.linux.maskedPaths?.includes('/proc/kcore'));
  assert.ok(spec.linux.readonlyPaths?.includes('/proc/sys'));
  const names = spec.linux.seccomp?.syscalls?.flatMap((s) => s.names) ?? [];
  assert.ok(names.includes('chroot'), 'CAP_SYS_CHROOT is in the default set, chroot allowed');
  assert.ok(names.includes('arch_prctl') && !names.includes('arm_fadvise64_64'));
  assert.ok(!names.includes('future_call'));
  assert.deepEqual(spec.linux.seccomp?.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
});

test('buildSpec() privileged grants the host bounding set, all devices, no masks, no seccomp (golden)', () => {
  const spec = buildSpec(input({ privileged: true }));
  golden('privileged', spec);
  assert.deepEqual(spec.process.capabilities?.bounding, HOST_CAPS);
  assert.equal(spec.linux.seccomp, undefined);
  assert.equal(spec.linux.maskedPaths, undefined);
  assert.deepEqual(spec.linux.resources?.devices, [{ allow: true, access: 'rwm' }]);
  assert.equal(spec.linux.devices?.length, 2);
  assert.ok(!spec.mounts.find((m) => m.destination === '/sys')?.options?.includes('ro'));
});

test('buildSpec() read-only rootfs marks root and non-dev mounts read-only (golden)', () => {
  const spec = buildSpec(input({ readonlyRootfs: true, extraMounts: [{ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind'] }] }));
  golden('readonly', spec);
  assert.equal(spec.root.readonly, true);
  assert.deepEqual(spec.mounts.find((m) => m.destination === '/etc/hosts')?.options, ['rbind', 'ro', 'rprivate']);
  assert.deepEqual(spec.mounts.find((m) => m.destination === '/data')?.options, ['rbind']);
  assert.ok(!spec.mounts.find((m) => m.destination === '/dev/shm')?.options?.includes('ro'));
});

test('buildSpec() init runs catatonit as /sbin/docker-init (golden)', () => {
  const spec = buildSpec(input({ init: true, tty: true, consoleSize: { height: 24, width: 80 } }));
  golden('init', spec);
  assert.deepEqual(spec.process.args, ['/sbin/docker-init', '--', 'sh', '-c', 'echo hi']);
  assert.deepEqual(spec.mounts.find((m) => m.destination === '/sbin/docker-init'),
    { destination: '/sbin/docker-init', type: 'bind', source: '/usr/bin/catatonit', options: ['bind', 'ro'] });
  assert.ok(spec.process.env.includes('TERM=xterm'));
});

test('buildSpec() maps memory, swap, cpus, shares, cpuset and pids like Docker (golden)', () => {
  const spec = buildSpec(input({
    resources: { memory: 64 * 1024 * 1024, nanoCpus: 1.5e9, cpuShares: 512, cpusetCpus: '0', cpusetMems: '0', pidsLimit: 100 },
    shmSize: 128 * 1024 * 1024,
  }));
  golden('resources', spec);
  const r = spec.linux.resources!;
  assert.deepEqual(r.memory, { limit: 67108864, swap: 134217728 });
  assert.deepEqual(r.cpu, { shares: 512, cpus: '0', mems: '0', period: 100000, quota: 150000 });
  assert.deepEqual(r.pids, { limit: 100 });
  assert.ok(spec.mounts.find((m) => m.destination === '/dev/shm')?.options?.includes('size=134217728'));
});

test('buildSpec() memory-swap -1 leaves swap unlimited and pids-limit 0 unlimits', () => {
  const r = buildSpec(input({ resources: { memory: 1 << 26, memorySwap: -1, pidsLimit: 0 } })).linux.resources!;
  assert.deepEqual(r.memory, { limit: 1 << 26 });
  assert.deepEqual(r.pids, { limit: -1 });
});

test('buildSpec() clamps ulimits and the default nofile to the host hard limits (golden)', () => {
  const spec = buildSpec(input({
    ulimits: [{ name: 'nproc', soft: 200000, hard: 200000 }, { name: 'core', soft: 0, hard: 1024 }],
  }));
  golden('ulimits', spec);
  assert.deepEqual(spec.process.rlimits, [
    { type: 'RLIMIT_NPROC', hard: 96365, soft: 96365 },
    { type: 'RLIMIT_CORE', hard: 1024, soft: 0 },
    { type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 },
  ]);
});

test('buildSpec() applies cap-add and cap-drop to capabilities and seccomp rules', () => {
  const spec = buildSpec(input({ capAdd: ['sys_admin'], capDrop: ['CAP_SYS_CHROOT', 'net_raw'] }));
  const caps = spec.process.capabilities!.bounding!;
  assert.ok(caps.includes('CAP_SYS_ADMIN') && !caps.includes('CAP_SYS_CHROOT') && !caps.includes('CAP_NET_RAW'));
  const rules = spec.linux.seccomp!.syscalls!;
  assert.ok(rules.some((r) => r.names.includes('bpf') && r.action === 'SCMP_ACT_ALLOW'));
  assert.ok(!rules.some((r) => r.names.includes('bpf') && r.action === 'SCMP_ACT_ERRNO'));
  assert.ok(!rules.some((r) => r.names.includes('chroot')));
});

test('buildSpec() host network keeps the host netns and sets no net sysctls', () => {
  const spec = buildSpec(input({ namespaces: { network: { mode: 'host' } } }));
  assert.ok(!spec.linux.namespaces.some((n) => n.type === 'network'));
  assert.equal(spec.linux.sysctl, undefined);
  const none = buildSpec(input({ namespaces: { network: { mode: 'none' } } }));
  assert.deepEqual(none.linux.namespaces.find((n) => n.type === 'network'), { type: 'network' });
});

test('buildSpec() lets a user mount replace a default one and the /etc files', () => {
  const spec = buildSpec(input({
    extraMounts: [
      { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind'] },
      { destination: '/etc/hosts', type: 'bind', source: '/my/hosts', options: ['rbind', 'ro'] },
    ],
  }));
  assert.equal(spec.mounts.filter((m) => m.destination === '/dev/shm').length, 1);
  assert.deepEqual(spec.mounts.filter((m) => m.destination === '/etc/hosts').map((m) => m.source), ['/my/hosts']);
});

test('buildSpec() env gets Docker defaults and container values override them', () => {
  const spec = buildSpec(input({ env: ['PATH=/x', 'HOSTNAME', 'A=1'] }));
  assert.deepEqual(spec.process.env, ['PATH=/x', 'A=1']);
});

test('buildSpec() refuses an unknown or unavailable capability with Docker text', () => {
  assert.throws(() => buildSpec(input({ capAdd: ['FOO'] })), { message: 'unknown capability: "CAP_FOO"' });
  assert.throws(() => buildSpec(input({ capAdd: ['SYS_RESOURCE'] })),
    { message: 'capability not supported by your kernel or not available in the current environment: "CAP_SYS_RESOURCE"' });
});

test('buildSpec() filters with the container\'s own seccomp profile, even when privileged, and none when unconfined', () => {
  const profile: DockerSeccompProfile = {
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [
      { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      { names: ['bpf'], action: 'SCMP_ACT_ERRNO', excludes: { caps: ['CAP_SYS_ADMIN'] } },
    ],
  };
  const own = buildSpec(input({ seccomp: { profile } })).linux.seccomp!;
  assert.deepEqual(own, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }, { names: ['bpf'], action: 'SCMP_ACT_ERRNO' }] });
  const privileged = buildSpec(input({ seccomp: { profile }, privileged: true })).linux.seccomp!;
  assert.deepEqual(privileged.syscalls, [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }], 'privileged holds CAP_SYS_ADMIN');
  assert.equal(buildSpec(input({ seccomp: 'unconfined' })).linux.seccomp, undefined);
  assert.ok(buildSpec(input({ seccomp: 'unconfined' })).linux.maskedPaths?.length, 'unconfined seccomp keeps the masks');
});

test('buildSpec() masks the host\'s thermal_throttle directories too, except for privileged containers', () => {
  const thermal = ['/sys/devices/system/cpu/cpu0/thermal_throttle', '/sys/devices/system/cpu/cpu1/thermal_throttle'];
  const spec = buildSpec(input({ hostMaskedPaths: thermal }));
  assert.deepEqual(spec.linux.maskedPaths?.slice(-2), thermal);
  assert.ok(spec.linux.maskedPaths?.includes('/proc/interrupts'));
  assert.equal(buildSpec(input({ hostMaskedPaths: thermal, privileged: true })).linux.maskedPaths, undefined);
});

test('buildSpec() shares the PID, IPC and UTS namespaces asked for, and makes a cgroup namespace for --cgroupns private', () => {
  const types = (s: ReturnType<typeof buildSpec>) => s.linux.namespaces.map((n) => (n.path ? `${n.type}=${n.path}` : n.type));
  const base = input();
  assert.deepEqual(types(buildSpec(base)), ['mount', 'network=/run/berth/netns/c0ffee', 'uts', 'pid', 'ipc']);
  const shared = buildSpec(input({
    namespaces: { ...base.namespaces, pid: { path: '/proc/42/ns/pid' }, ipc: 'host', uts: 'host', cgroup: 'private' },
    shm: { source: '/dev/shm' },
  }));
  assert.deepEqual(types(shared), ['mount', 'network=/run/berth/netns/c0ffee', 'pid=/proc/42/ns/pid', 'cgroup']);
  assert.equal(shared.hostname, undefined, 'no hostname without a UTS namespace of its own');
  assert.deepEqual(shared.mounts?.find((m) => m.destination === '/dev/shm'), { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] });
  const none = buildSpec(input({ shm: 'none' }));
  assert.equal(none.mounts?.find((m) => m.destination === '/dev/shm'), undefined);
});
