import type { RuntimeProcess } from '../../oci/index.js';
import { containerCapabilities } from './capabilities.js';
import { containerEnv } from './env.js';
import type { SpecInput } from './spec-input.js';

/** What differs per exec from the container's own process (docker exec's flags, resolved). */
export type ExecProcessInput = Pick<SpecInput, 'args' | 'env' | 'cwd' | 'user' | 'tty' | 'consoleSize' | 'privileged'>;

/**
 * An exec's process as dockerd builds it: the container's own process (its rlimits,
 * no-new-privileges, AppArmor and SELinux labels, OOM score, capabilities) with the exec's argv,
 * environment (PATH, HOSTNAME and TERM with a TTY first, then the variables given), working
 * directory (the container's when empty), user and terminal; --privileged takes every capability
 * the host holds.
 */
export function buildExecProcess(base: RuntimeProcess, input: ExecProcessInput, host: { hostCapabilities: readonly string[] }): RuntimeProcess {
  const hostname = base.env.find((e) => e.startsWith('HOSTNAME='))?.slice('HOSTNAME='.length) ?? '';
  const p: RuntimeProcess = {
    ...base,
    terminal: input.tty,
    user: { uid: input.user.uid, gid: input.user.gid, additionalGids: [input.user.gid, ...input.user.additionalGids] },
    args: [...input.args],
    env: containerEnv(input.env, { hostname, tty: input.tty }),
    cwd: input.cwd || base.cwd || '/',
  };
  delete p.consoleSize;
  if (input.tty && input.consoleSize) p.consoleSize = { ...input.consoleSize };
  if (input.privileged) {
    const caps = containerCapabilities({ capAdd: [], capDrop: [], privileged: true, hostCapabilities: host.hostCapabilities });
    p.capabilities = { bounding: caps, effective: [...caps], permitted: [...caps] };
  }
  return p;
}
