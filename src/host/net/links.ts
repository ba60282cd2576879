import { access } from 'node:fs/promises';
import { InternalError } from '../../base/index.js';
import { exec } from '../exec.js';

/** Whether a network interface of this name exists in the daemon's namespace. */
export async function linkExists(name: string): Promise<boolean> {
  if (name.includes('/') || name === '.' || name === '..') return false;
  return access(`/sys/class/net/${name}`).then(() => true, () => false);
}

/** True when `port` is a port of `bridge` (a keeper left by a deleted bridge is not). */
export async function isBridgePort(bridge: string, port: string): Promise<boolean> {
  if ([bridge, port].some((n) => n.includes('/') || n === '.' || n === '..')) return false;
  return access(`/sys/class/net/${bridge}/brif/${port}`).then(() => true, () => false);
}

/**
 * Enslave a port to `bridge` that never carries traffic: a persistent tap no
 * process reads, so it stays NO-CARRIER (the dummy driver, the obvious choice,
 * is a module that kernels without modules lack). One `ip -batch` process.
 */
export async function addBridgePlaceholder(opts: { name: string; bridge: string }): Promise<void> {
  const script = `tuntap add dev ${opts.name} mode tap\nlink set dev ${opts.name} master ${opts.bridge} up\n`;
  await exec('ip', ['-batch', '-'], { stdin: script });
}

/** Delete an interface; a missing one is not an error. */
export async function deleteLink(name: string): Promise<void> {
  if (!(await linkExists(name))) return;
  const r = await exec('ip', ['link', 'delete', name], { allowFailure: true });
  if (r.code !== 0 && (await linkExists(name))) throw new InternalError(`Cannot delete interface "${name}": ${r.stderr.trim()}`);
}
