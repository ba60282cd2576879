import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { authKey, updateAuths } from './credentials.js';

export function flags(_fs: FlagSet) {
  return {};
}

/** docker logout: drop the registry's entry from config.json "auths". */
export async function run(cli: Cli, _o: unknown, args: string[]): Promise<void> {
  const key = authKey(args[0] ?? '');
  const auths = ((await cli.config()).auths ?? {}) as Record<string, unknown>;
  const names = [key, `https://${key}`, `http://${key}`].filter((k) => k in auths);
  if (names.length === 0) {
    await cli.print(`Not logged in to ${key}\n`);
    return;
  }
  await cli.print(`Removing login credentials for ${key}\n`);
  await updateAuths(cli, (a) => { for (const n of names) delete a[n]; });
}
