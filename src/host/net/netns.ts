import { access } from 'node:fs/promises';
import { InternalError, InvalidArgumentError } from '../../base/index.js';
import { exec } from '../exec.js';

/** Where iproute2 keeps named network namespaces (fixed at its build time). */
export const NETNS_RUN_DIR = '/run/netns';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function netnsPath(name: string): string {
  return `${NETNS_RUN_DIR}/${name}`;
}

/**
 * Create a named network namespace pinned by a bind mount at /run/netns/<name>,
 * a path the OCI spec and netavark can both join. `ip netns add` does the
 * unshare and the bind mount in one short-lived process.
 */
export async function createNetns(name: string, opts: { loopbackUp?: boolean } = {}): Promise<string> {
  if (!NAME_RE.test(name)) throw new InvalidArgumentError(`Cannot create network namespace "${name}": expected letters, digits, "_", "." or "-"`);
  await exec('ip', ['netns', 'add', name]);
  // A fresh namespace has lo down; netavark brings it up for bridge networks itself.
  if (opts.loopbackUp) await exec('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return netnsPath(name);
}

/** Unmount and remove a named network namespace; a missing one is not an error. */
export async function deleteNetns(name: string): Promise<void> {
  if (!(await netnsExists(name))) return;
  const r = await exec('ip', ['netns', 'delete', name], { allowFailure: true });
  if (r.code !== 0 && (await netnsExists(name))) {
    throw new InternalError(`Cannot delete network namespace "${name}": ${r.stderr.trim()}`);
  }
}

export async function netnsExists(name: string): Promise<boolean> {
  return access(netnsPath(name)).then(() => true, () => false);
}
