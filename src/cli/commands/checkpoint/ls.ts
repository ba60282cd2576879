import { checkpointList } from '../../../client/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';

export function flags(fs: FlagSet) {
  return { checkpointDir: fs.string('checkpoint-dir', '', '', 'Use a custom checkpoint storage directory') };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  const list = await checkpointList(client, args[0]!, { checkpointDir: o.checkpointDir.get });
  await cli.print(['CHECKPOINT NAME', ...list.map((c) => c.Name)].map((l) => `${l}\n`).join(''));
}
