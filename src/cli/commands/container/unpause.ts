import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { forEachParallel } from '../common.js';

export function flags(_fs: FlagSet) {
  return {};
}

export async function run(cli: Cli, _o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  await forEachParallel(cli, args, (id) => client.containerUnpause(id));
}
