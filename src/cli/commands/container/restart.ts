import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { forEachSequential } from '../common.js';

export function flags(fs: FlagSet) {
  return {
    signal: fs.string('signal', 's', '', 'Signal to send to the container'),
    timeout: fs.int('timeout', 't', 0, 'Seconds to wait before killing the container'),
  };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  const timeout = o.timeout.changed ? o.timeout.get : undefined;
  await forEachSequential(cli, args, (id) => client.containerRestart(id, { timeout, signal: o.signal.get || undefined }));
}
