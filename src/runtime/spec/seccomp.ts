import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '../../base/index.js';
import type { LinuxSeccomp, LinuxSeccompArg, LinuxSyscall, SeccompAction } from '../../oci/index.js';

/** Docker's seccomp profile format (moby/profiles, also containers/common's seccomp.json). */
export interface DockerSeccompProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: Array<{ architecture: string; subArchitectures?: string[] }>;
  flags?: string[];
  syscalls?: DockerSyscallRule[];
}

export interface DockerSyscallFilter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

export interface DockerSyscallRule {
  name?: string;
  names?: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: LinuxSeccompArg[] | null;
  comment?: string;
  includes?: DockerSyscallFilter;
  excludes?: DockerSyscallFilter;
}

/** Read a Docker-format seccomp profile. */
export async function loadSeccompProfile(path: string): Promise<DockerSeccompProfile> {
  return parseSeccompProfile(await readFile(path, 'utf8'));
}

export function parseSeccompProfile(json: string): DockerSeccompProfile {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (e) {
    throw new InvalidArgumentError(`Decoding seccomp profile failed: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new InvalidArgumentError('Decoding seccomp profile failed: not a JSON object');
  }
  return v as DockerSeccompProfile;
}

// Node's process.arch → libseccomp's native arch names (the "arches" in includes/excludes).
const NODE_TO_NATIVE: Record<string, string> = {
  ia32: 'x86', x64: 'amd64', arm: 'arm', arm64: 'arm64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsel',
  ppc: 'ppc', ppc64: 'ppc64le', riscv64: 'riscv64', s390: 's390', s390x: 's390x',
};
// libseccomp native name → the SCMP_ARCH_ constant used in archMap.
const NATIVE_TO_SCMP: Record<string, string> = {
  x86: 'SCMP_ARCH_X86', amd64: 'SCMP_ARCH_X86_64', arm: 'SCMP_ARCH_ARM', arm64: 'SCMP_ARCH_AARCH64',
  loong64: 'SCMP_ARCH_LOONGARCH64', mips64: 'SCMP_ARCH_MIPS64', mipsel64: 'SCMP_ARCH_MIPSEL64',
  mipsel: 'SCMP_ARCH_MIPSEL', ppc: 'SCMP_ARCH_PPC', ppc64: 'SCMP_ARCH_PPC64', ppc64le: 'SCMP_ARCH_PPC64LE',
  riscv64: 'SCMP_ARCH_RISCV64', s390: 'SCMP_ARCH_S390', s390x: 'SCMP_ARCH_S390X',
};

export interface SeccompContext {
  /** The container's bounding capabilities: rules with includes.caps/excludes.caps depend on them. */
  capabilities: readonly string[];
  /** Node's process.arch of the host. */
  arch: string;
  /** The host kernel release ("6.1.0-18-amd64"), for minKernel filters. */
  kernelVersion: string;
}

/**
 * Convert a Docker-format profile to OCI's linux.seccomp for one container, as moby's setupSeccomp:
 * keep the host arch's archMap entry, drop rules whose includes/excludes do not match the
 * container's capabilities, the arch or the kernel, and strip Docker-only fields.
 */
export function toOciSeccomp(profile: DockerSeccompProfile, ctx: SeccompContext): LinuxSeccomp | undefined {
  if (!profile.defaultAction && (profile.syscalls ?? []).length === 0) return undefined;
  if ((profile.architectures ?? []).length > 0 && (profile.archMap ?? []).length > 0) {
    throw new InvalidArgumentError("both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'");
  }
  const native = NODE_TO_NATIVE[ctx.arch] ?? ctx.arch;
  const out: LinuxSeccomp = { defaultAction: profile.defaultAction };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  let arches = [...(profile.architectures ?? [])];
  const scmp = NATIVE_TO_SCMP[native];
  const entry = profile.archMap?.find((a) => a.architecture === scmp);
  if (entry) arches = [entry.architecture, ...(entry.subArchitectures ?? [])];
  if (arches.length > 0) out.architectures = arches;
  if (profile.flags && profile.flags.length > 0) out.flags = [...profile.flags];

  const syscalls: LinuxSyscall[] = [];
  for (const rule of profile.syscalls ?? []) {
    if (rule.name && rule.names && rule.names.length > 0) {
      throw new InvalidArgumentError("both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'");
    }
    if (!ruleApplies(rule, native, ctx)) continue;
    const call: LinuxSyscall = { names: rule.name ? [rule.name] : [...(rule.names ?? [])], action: rule.action };
    if (rule.errnoRet !== undefined) call.errnoRet = rule.errnoRet;
    if (rule.args && rule.args.length > 0) {
      call.args = rule.args.map((a) => {
        const arg: LinuxSeccompArg = { index: a.index, value: a.value, op: a.op };
        if (a.valueTwo) arg.valueTwo = a.valueTwo;
        return arg;
      });
    }
    syscalls.push(call);
  }
  out.syscalls = syscalls;
  return out;
}

function ruleApplies(rule: DockerSyscallRule, native: string, ctx: SeccompContext): boolean {
  const ex = rule.excludes;
  if (ex) {
    if (ex.arches?.includes(native)) return false;
    if (ex.caps?.some((c) => ctx.capabilities.includes(c))) return false;
    if (ex.minKernel && kernelAtLeast(ctx.kernelVersion, ex.minKernel)) return false;
  }
  const inc = rule.includes;
  if (inc) {
    if (inc.arches && inc.arches.length > 0 && !inc.arches.includes(native)) return false;
    if (inc.caps && !inc.caps.every((c) => ctx.capabilities.includes(c))) return false;
    if (inc.minKernel && !kernelAtLeast(ctx.kernelVersion, inc.minKernel)) return false;
  }
  return true;
}

/** Compare "major.minor" prefixes of kernel releases. */
export function kernelAtLeast(release: string, min: string): boolean {
  const parse = (s: string): [number, number] => {
    const m = /^(\d+)\.(\d+)/.exec(s);
    if (!m) throw new InvalidArgumentError(`Cannot parse kernel version "${s}": expected <major>.<minor>`);
    return [Number(m[1]), Number(m[2])];
  };
  const [a, b] = parse(release);
  const [c, d] = parse(min);
  return a > c || (a === c && b >= d);
}
