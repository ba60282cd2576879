import { readHostRuntimeFacts, type HostRuntimeFacts } from '../../host/index.js';
import type { SpecInput } from './spec-input.js';
import { loadSeccompProfile } from './seccomp.js';
import { dockerDefaultSeccompProfile } from './seccomp-default.js';

/** The host-dependent part of SpecInput; read once at daemon start and spread into every input. */
export type SpecHostFacts = Pick<SpecInput, 'hostCapabilities' | 'hostRlimits' | 'seccompProfile' | 'kernelVersion' | 'arch' | 'hostMaskedPaths'>;

/**
 * seccompProfilePath replaces Docker's built-in default profile (dockerd's --seccomp-profile);
 * without it containers get Docker's own default, never a profile some package left on the host.
 */
export async function hostSpecFacts(opts: { seccompProfilePath?: string; host?: HostRuntimeFacts } = {}): Promise<SpecHostFacts> {
  const [facts, seccompProfile] = await Promise.all([
    opts.host ?? readHostRuntimeFacts(),
    opts.seccompProfilePath ? loadSeccompProfile(opts.seccompProfilePath) : dockerDefaultSeccompProfile(),
  ]);
  return {
    hostCapabilities: facts.capabilities,
    hostRlimits: facts.rlimits,
    hostMaskedPaths: facts.maskablePaths,
    seccompProfile,
    kernelVersion: facts.kernelVersion,
    arch: process.arch,
  };
}
