import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { forEachSequential } from '../common.js';

export function flags(fs: FlagSet) {
  return { force: fs.bool('force', 'f', false, 'Do not error if the network does not exist') };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  await forEachSequential(cli, args, async (name) => {
    try {
      (await client.request(`/networks/${encodeURIComponent(name)}`, { method: 'DELETE' })).resume();
    } catch (e) {
      if (o.force.get && /not found/.test(String(e))) return;
      throw e;
    }
    return name;
  });
}
