import { checkpointDelete } from '../../../client/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';

export function flags(fs: FlagSet) {
  return { checkpointDir: fs.string('checkpoint-dir', '', '', 'Use a custom checkpoint storage directory') };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const [container, checkpoint] = args as [string, string];
  const client = await cli.client();
  await checkpointDelete(client, container, checkpoint, { checkpointDir: o.checkpointDir.get });
}
