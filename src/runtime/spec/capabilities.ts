import { InvalidArgumentError } from '../../base/index.js';
import { LINUX_CAPABILITIES } from '../../oci/index.js';

/** Docker's default capability set, in Docker's order. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

const ALL = 'ALL';

/**
 * Normalise --cap-add/--cap-drop values as Docker does: upper-case, "CAP_" prefix added,
 * "ALL" kept as is. Unknown names and names the host cannot grant are refused with Docker's texts.
 */
export function normalizeCapabilities(caps: readonly string[], hostCapabilities?: readonly string[]): string[] {
  return caps.map((raw) => {
    let c = raw.toUpperCase();
    if (c === ALL) return c;
    if (!c.startsWith('CAP_')) c = `CAP_${c}`;
    if (!LINUX_CAPABILITIES.includes(c)) throw new InvalidArgumentError(`unknown capability: "${c}"`);
    if (hostCapabilities && hostCapabilities.length > 0 && !hostCapabilities.includes(c)) {
      throw new InvalidArgumentError(`capability not supported by your kernel or not available in the current environment: "${c}"`);
    }
    return c;
  });
}

/**
 * The container's capability set, as Docker's TweakCapabilities computes it: privileged gets every
 * capability the host holds; "ALL" in add means all the host holds minus the drops; "ALL" in drop
 * means only the adds; otherwise defaults minus drops plus adds.
 */
export function containerCapabilities(opts: {
  capAdd: readonly string[]; capDrop: readonly string[]; privileged: boolean; hostCapabilities: readonly string[];
}): string[] {
  const host = opts.hostCapabilities.length > 0 ? opts.hostCapabilities : LINUX_CAPABILITIES;
  if (opts.privileged) return [...host];
  if (opts.capAdd.length === 0 && opts.capDrop.length === 0) return [...DEFAULT_CAPABILITIES];
  const drop = normalizeCapabilities(opts.capDrop, opts.hostCapabilities);
  const add = normalizeCapabilities(opts.capAdd, opts.hostCapabilities);
  let caps: string[];
  if (add.includes(ALL)) caps = host.filter((c) => !drop.includes(c));
  else if (drop.includes(ALL)) caps = add;
  else caps = [...DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c)), ...add];
  return [...new Set(caps)];
}
