import type { Cli } from '../../cli.js';
import { forEachSequential } from '../common.js';
import type { flags } from './stop.js';

// restart takes stop's flags, as docker's does
export { flags } from './stop.js';

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  const timeout = o.timeout.changed ? o.timeout.get : undefined;
  await forEachSequential(cli, args, (id) => client.containerRestart(id, { timeout, signal: o.signal.get || undefined }));
}
