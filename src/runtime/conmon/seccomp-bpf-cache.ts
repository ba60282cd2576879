import { readFile } from 'node:fs/promises';
import { sha256 } from '../../base/index.js';
import type { RuntimeSpec } from '../../oci/index.js';

/** crun's annotation for a seccomp filter already compiled to BPF (base64). */
export const SECCOMP_BPF_ANNOTATION = 'run.oci.seccomp_bpf_data';

/**
 * crun compiles the spec's seccomp profile with libseccomp on every create: about 10 ms for
 * Docker's default profile, on the critical path of every start. It leaves the result in its
 * state directory as seccomp.bpf and takes a precompiled filter through an annotation, so the
 * first container with a profile teaches the daemon its BPF and the others reuse it.
 *
 * The cache lives in memory only: the kernel and the profile fix the filter, and neither changes
 * under a running daemon without the profile's own text changing.
 */
export class SeccompBpfCache {
  private readonly bpf = new Map<string, string>();

  /**
   * Put the known filter for the spec's profile into its annotations; returns the profile's key
   * when the filter is not known yet, for learn() once crun has compiled it.
   */
  apply(spec: RuntimeSpec): string | undefined {
    const profile = spec.linux?.seccomp;
    if (!profile) return undefined;
    const key = sha256(JSON.stringify(profile));
    const known = this.bpf.get(key);
    if (known === undefined) return key;
    spec.annotations = { ...spec.annotations, [SECCOMP_BPF_ANNOTATION]: known };
    return undefined;
  }

  /** Remember what crun compiled for the profile `key` (its state directory's seccomp.bpf). */
  async learn(key: string, bpfPath: string): Promise<void> {
    if (this.bpf.has(key)) return;
    const data = await readFile(bpfPath).catch(() => undefined);
    // An empty or odd-sized file is not a filter (struct sock_filter is 8 bytes).
    if (data && data.length > 0 && data.length % 8 === 0) this.bpf.set(key, data.toString('base64'));
  }
}
