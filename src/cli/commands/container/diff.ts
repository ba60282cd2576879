import { containerChanges } from '../../../client/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';

export function flags(_fs: FlagSet) {
  return {};
}

const KIND = ['C', 'A', 'D'] as const;

export async function run(cli: Cli, _o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  const changes = await containerChanges(client, args[0]!);
  await cli.print(changes.map((c) => `${KIND[c.Kind] ?? '?'} ${c.Path}\n`).join(''));
}
