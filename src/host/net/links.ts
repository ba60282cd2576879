import { access } from 'node:fs/promises';
import { InternalError } from '../../base/index.js';
import { exec } from '../exec.js';

/** Whether a network interface of this name exists in the daemon's namespace. */
export async function linkExists(name: string): Promise<boolean> {
  if (name.includes('/') || name === '.' || name === '..') return false;
  return access(`/sys/class/net/${name}`).then(() => true, () => false);
}

/** Create an up dummy interface enslaved to `master` (one `ip -batch` process). */
export async function addDummyLink(opts: { name: string; master: string }): Promise<void> {
  const script = `link add ${opts.name} type dummy\nlink set ${opts.name} master ${opts.master} up\n`;
  await exec('ip', ['-batch', '-'], { stdin: script });
}

/** Delete an interface; a missing one is not an error. */
export async function deleteLink(name: string): Promise<void> {
  if (!(await linkExists(name))) return;
  const r = await exec('ip', ['link', 'delete', name], { allowFailure: true });
  if (r.code !== 0 && (await linkExists(name))) throw new InternalError(`Cannot delete interface "${name}": ${r.stderr.trim()}`);
}
