import { InvalidArgumentError } from '../../base/index.js';
import type { PosixRlimit } from '../../oci/index.js';

export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

/** A host limit; `Infinity` is "unlimited". */
export interface HostLimit {
  soft: number;
  hard: number;
}

const ULIMIT_NAMES = new Set([
  'as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss',
  'rtprio', 'rttime', 'sigpending', 'stack',
]);

/** Docker daemon's usual open-files limit for containers, before clamping to the host. */
export const DEFAULT_NOFILE = 1048576;

/**
 * Ulimits as OCI rlimits, with Docker's default RLIMIT_NOFILE added when absent. No value exceeds
 * the host's hard limit: without CAP_SYS_RESOURCE the runtime cannot raise it and would fail.
 */
export function buildRlimits(ulimits: readonly Ulimit[], hostRlimits: Record<string, HostLimit> = {}): PosixRlimit[] {
  const list = [...ulimits];
  if (!list.some((u) => u.name.toLowerCase() === 'nofile')) list.push({ name: 'nofile', soft: DEFAULT_NOFILE, hard: DEFAULT_NOFILE });
  return list.map((u) => {
    const name = u.name.toLowerCase();
    if (!ULIMIT_NAMES.has(name)) throw new InvalidArgumentError(`invalid ulimit type: ${u.name}`);
    if (u.soft > u.hard) {
      throw new InvalidArgumentError(`ulimit soft limit must be less than or equal to hard limit: ${u.soft} > ${u.hard}`);
    }
    const type = `RLIMIT_${name.toUpperCase()}`;
    const max = hostRlimits[type]?.hard ?? Infinity;
    const hard = Math.min(u.hard, max);
    return { type, hard, soft: Math.min(u.soft, hard) };
  });
}
