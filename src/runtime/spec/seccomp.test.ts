import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { DEFAULT_SECCOMP_PROFILE_PATH, kernelAtLeast, loadSeccompProfile, toOciSeccomp } from './seccomp.js';
import { DEFAULT_CAPABILITIES } from './capabilities.js';

const haveProfile = existsSync(DEFAULT_SECCOMP_PROFILE_PATH);

test('toOciSeccomp() converts the host profile for the default capability set', { skip: !haveProfile && 'no seccomp.json' }, async () => {
  const profile = await loadSeccompProfile();
  const oci = toOciSeccomp(profile, { capabilities: DEFAULT_CAPABILITIES, arch: 'x64', kernelVersion: '6.1.0' })!;
  assert.equal(oci.defaultAction, profile.defaultAction);
  assert.deepEqual(oci.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  const allowed = (name: string): boolean => oci.syscalls!.some((s) => s.names.includes(name) && s.action === 'SCMP_ACT_ALLOW');
  assert.ok(allowed('chroot'), 'SYS_CHROOT is a default capability');
  assert.ok(allowed('arch_prctl'), 'amd64-only call kept on x64');
  assert.ok(!allowed('s390_runtime_instr'));
  assert.ok(!allowed('bpf') && !allowed('init_module') && !allowed('settimeofday'));
  for (const s of oci.syscalls!) {
    assert.deepEqual(Object.keys(s).filter((k) => !['names', 'action', 'errnoRet', 'args'].includes(k)), [], 'only OCI fields');
  }
});

test('toOciSeccomp() allows CAP_SYS_ADMIN calls once the capability is added', { skip: !haveProfile && 'no seccomp.json' }, async () => {
  const profile = await loadSeccompProfile();
  const oci = toOciSeccomp(profile, { capabilities: [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], arch: 'x64', kernelVersion: '6.1.0' })!;
  assert.ok(oci.syscalls!.some((s) => s.names.includes('bpf') && s.action === 'SCMP_ACT_ALLOW'));
  assert.ok(!oci.syscalls!.some((s) => s.names.includes('bpf') && s.action === 'SCMP_ACT_ERRNO'));
});

test('toOciSeccomp() refuses both architectures and archMap', () => {
  assert.throws(() => toOciSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86'], archMap: [{ architecture: 'SCMP_ARCH_X86_64' }] },
    { capabilities: [], arch: 'x64', kernelVersion: '6.1' }), /both 'architectures' and 'archMap'/);
});

test('kernelAtLeast() compares major and minor', () => {
  assert.equal(kernelAtLeast('6.18.44-fc', '5.8'), true);
  assert.equal(kernelAtLeast('5.4.0', '5.8'), false);
  assert.equal(kernelAtLeast('5.8.1', '5.8'), true);
});
