import { readHostRuntimeFacts, type HostRuntimeFacts } from '../../host/index.js';
import type { SpecInput } from './spec-input.js';
import { DEFAULT_SECCOMP_PROFILE_PATH, loadSeccompProfile } from './seccomp.js';

/** The host-dependent part of SpecInput; read once at daemon start and spread into every input. */
export type SpecHostFacts = Pick<SpecInput, 'hostCapabilities' | 'hostRlimits' | 'seccompProfile' | 'kernelVersion' | 'arch'>;

export async function hostSpecFacts(opts: { seccompProfilePath?: string; host?: HostRuntimeFacts } = {}): Promise<SpecHostFacts> {
  const [facts, seccompProfile] = await Promise.all([
    opts.host ?? readHostRuntimeFacts(),
    loadSeccompProfile(opts.seccompProfilePath ?? DEFAULT_SECCOMP_PROFILE_PATH),
  ]);
  return {
    hostCapabilities: facts.capabilities,
    hostRlimits: facts.rlimits,
    seccompProfile,
    kernelVersion: facts.kernelVersion,
    arch: process.arch,
  };
}
