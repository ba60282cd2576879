import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { forEachParallel } from '../common.js';

export function flags(fs: FlagSet) {
  return { signal: fs.string('signal', 's', '', 'Signal to send to the container') };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  await forEachParallel(cli, args, (id) => client.containerKill(id, o.signal.get || undefined));
}
