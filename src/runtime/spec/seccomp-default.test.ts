import { test } from 'node:test';
import assert from 'node:assert/strict';
import { golden } from './golden.js';
import type { LinuxSeccomp } from '../../oci/index.js';
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import { CLONE_NAMESPACE_FLAGS, dockerDefaultSeccompProfile } from './seccomp-default.js';
import { toOciSeccomp } from './seccomp.js';


function filter(caps: readonly string[], over: { arch?: string; kernelVersion?: string } = {}): LinuxSeccomp {
  return toOciSeccomp(dockerDefaultSeccompProfile(), { capabilities: caps, arch: over.arch ?? 'x64', kernelVersion: over.kernelVersion ?? '6.1.0' })!;
}

/** What the filter does with one call: allow, allow when its arguments match, an errno, or the default. */
function decide(f: LinuxSeccomp, name: string): string {
  const rules = f.syscalls!.filter((s) => s.names.includes(name));
  if (rules.some((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args?.length)) return 'allow';
  const withArgs = rules.filter((r) => r.action === 'SCMP_ACT_ALLOW');
  if (withArgs.length) return `allow if ${withArgs.map((r) => r.args!.map((a) => `arg${a.index} ${a.op.replace('SCMP_CMP_', '')} 0x${a.value.toString(16)}`).join(' && ')).join(' || ')}`;
  const errno = rules.find((r) => r.action === 'SCMP_ACT_ERRNO');
  if (errno) return `errno ${errno.errnoRet}`;
  return `default errno ${f.defaultErrnoRet}`;
}

// The calls the issue found open, and each capability's calls: what a container may do with each set.
const PROBED = [
  'keyctl', 'add_key', 'request_key', 'unshare', 'setns', 'mount', 'umount2', 'clone', 'clone3', 'bpf',
  'process_vm_readv', 'process_vm_writev', 'ptrace', 'kcmp', 'pidfd_getfd', 'name_to_handle_at', 'open_by_handle_at',
  'reboot', 'init_module', 'acct', 'iopl', 'settimeofday', 'clock_settime', 'vhangup', 'mbind', 'syslog',
  'perf_event_open', 'chroot', 'personality', 'socket', 'userfaultfd', 'io_uring_setup', 'kexec_load', 'swapon',
];
const CAP_SETS: Record<string, readonly string[]> = {
  default: DEFAULT_CAPABILITIES,
  'cap-drop ALL': [],
  'cap-add SYS_ADMIN': [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'],
  'cap-add SYS_PTRACE': [...DEFAULT_CAPABILITIES, 'CAP_SYS_PTRACE'],
  'cap-add DAC_READ_SEARCH': [...DEFAULT_CAPABILITIES, 'CAP_DAC_READ_SEARCH'],
  'cap-add SYS_BOOT SYS_MODULE SYS_PACCT SYS_RAWIO SYS_TIME SYS_TTY_CONFIG SYS_NICE SYSLOG': [
    ...DEFAULT_CAPABILITIES, 'CAP_SYS_BOOT', 'CAP_SYS_MODULE', 'CAP_SYS_PACCT', 'CAP_SYS_RAWIO', 'CAP_SYS_TIME',
    'CAP_SYS_TTY_CONFIG', 'CAP_SYS_NICE', 'CAP_SYSLOG'],
  'cap-add BPF PERFMON': [...DEFAULT_CAPABILITIES, 'CAP_BPF', 'CAP_PERFMON'],
};

test('dockerDefaultSeccompProfile() decides each probed call per capability set as Docker (golden)', () => {
  const table: Record<string, Record<string, string>> = {};
  for (const [label, caps] of Object.entries(CAP_SETS)) {
    const f = filter(caps);
    table[label] = Object.fromEntries(PROBED.map((n) => [n, decide(f, n)]));
  }
  golden('seccomp-by-capability', table);
  const def = table['default']!;
  for (const n of ['keyctl', 'add_key', 'request_key', 'unshare', 'setns', 'mount', 'bpf', 'kcmp', 'open_by_handle_at']) {
    assert.equal(def[n], 'default errno 1', n);
  }
  assert.equal(def['clone3'], 'errno 38', 'clone3 looks missing, so that libc falls back to clone');
  assert.equal(def['clone'], `allow if arg0 MASKED_EQ 0x${CLONE_NAMESPACE_FLAGS.toString(16)}`);
  assert.equal(table['cap-add SYS_ADMIN']!['unshare'], 'allow');
  assert.equal(table['cap-add SYS_ADMIN']!['clone3'], 'allow');
  assert.equal(table['cap-add SYS_ADMIN']!['clone'], 'allow');
  assert.equal(table['cap-add SYS_PTRACE']!['kcmp'], 'allow');
  assert.equal(table['cap-add DAC_READ_SEARCH']!['open_by_handle_at'], 'allow');
});

test('dockerDefaultSeccompProfile() converted for the default set on x86_64 (golden)', () => {
  const f = filter(DEFAULT_CAPABILITIES);
  golden('seccomp-default-x64', f);
  assert.equal(f.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(f.defaultErrnoRet, 1);
  assert.deepEqual(f.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
});

test('process_vm_* and ptrace need CAP_SYS_PTRACE only before kernel 4.8', () => {
  assert.equal(decide(filter(DEFAULT_CAPABILITIES, { kernelVersion: '4.4.0' }), 'process_vm_readv'), 'default errno 1');
  assert.equal(decide(filter(DEFAULT_CAPABILITIES, { kernelVersion: '4.4.0' }), 'ptrace'), 'default errno 1');
  assert.equal(decide(filter([...DEFAULT_CAPABILITIES, 'CAP_SYS_PTRACE'], { kernelVersion: '4.4.0' }), 'ptrace'), 'allow');
  assert.equal(decide(filter(DEFAULT_CAPABILITIES, { kernelVersion: '4.8.0' }), 'process_vm_readv'), 'allow');
});

test('architecture rules follow the host: arm64 keeps ARM calls and drops x86 ones, s390x masks clone\'s second argument', () => {
  const arm = filter(DEFAULT_CAPABILITIES, { arch: 'arm64' });
  assert.deepEqual(arm.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.equal(decide(arm, 'set_tls'), 'allow');
  assert.equal(decide(arm, 'arch_prctl'), 'default errno 1');
  const s390 = filter(DEFAULT_CAPABILITIES, { arch: 's390x' });
  assert.equal(decide(s390, 'clone'), `allow if arg1 MASKED_EQ 0x${CLONE_NAMESPACE_FLAGS.toString(16)}`);
  assert.equal(decide(filter([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], { arch: 's390x' }), 'clone'), 'allow');
});

test('dockerDefaultSeccompProfile() returns a fresh copy each time', () => {
  const a = dockerDefaultSeccompProfile();
  a.syscalls![0]!.names!.push('kexec_load');
  assert.ok(!dockerDefaultSeccompProfile().syscalls![0]!.names!.includes('kexec_load'));
});
