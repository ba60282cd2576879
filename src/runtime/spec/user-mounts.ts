import type { RuntimeMount } from '../../oci/index.js';

/** Mount propagation, as `-v src:dst:rslave` and `--mount bind-propagation=` name it. */
export type Propagation = 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';

/**
 * A mount the user asked for, resolved to the host: a bind (a host path, or a volume's data
 * directory once the volume service has resolved it) or a tmpfs.
 */
export type UserMount =
  | {
    type: 'bind'; source: string; destination: string; readOnly: boolean; propagation?: Propagation; nonRecursive?: boolean;
    /** Read-only at the top only, submounts left writable (`bind-recursive=writable`). */
    readOnlyNonRecursive?: boolean;
  }
  | { type: 'tmpfs'; destination: string; readOnly: boolean; sizeBytes?: number; mode?: number; options?: string[] };

/** Docker's tmpfs defaults (daemon/oci_linux.go): noexec, nosuid, nodev. */
const TMPFS_DEFAULTS = ['noexec', 'nosuid', 'nodev'];

/**
 * The user's mounts as OCI mounts, as dockerd writes them: binds `rbind` (or `bind`) with ro (and
 * rro) or rw and their propagation (rprivate unless asked), tmpfs with noexec,nosuid,nodev, then size and
 * mode; options given with --tmpfs come last and win. They go in the spec's extraMounts, which
 * override the default mounts at the same destination.
 */
export function toRuntimeMounts(mounts: readonly UserMount[]): RuntimeMount[] {
  return mounts.map((m) => {
    if (m.type === 'bind') {
      // A read-only rbind is read-only all the way down (rro: mount_setattr), as dockerd ≥ 25 makes it.
      const ro = m.readOnly ? (m.nonRecursive || m.readOnlyNonRecursive ? ['ro'] : ['ro', 'rro']) : ['rw'];
      return {
        destination: m.destination, type: 'bind', source: m.source,
        options: [m.nonRecursive ? 'bind' : 'rbind', ...ro, m.propagation ?? 'rprivate'],
      };
    }
    const options = [...TMPFS_DEFAULTS];
    if (m.sizeBytes !== undefined && m.sizeBytes > 0) options.push(`size=${m.sizeBytes}`);
    if (m.mode !== undefined) options.push(`mode=${m.mode.toString(8)}`);
    if (m.readOnly) options.push('ro');
    options.push(...(m.options ?? []));
    return { destination: m.destination, type: 'tmpfs', source: 'tmpfs', options };
  });
}
