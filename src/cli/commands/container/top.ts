import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { tabwrite } from '../../formatter/index.js';

export function flags(_fs: FlagSet) {
  return {};
}

/** docker top CONTAINER [ps OPTIONS]: ps's columns through a tabwriter (minwidth 20, padding 3), as docker prints them. */
export async function run(cli: Cli, _o: unknown, args: string[]): Promise<void> {
  const [id, ...ps] = args as [string, ...string[]];
  const client = await cli.client();
  const top = await client.containerTop(id, ps.join(' '));
  const text = [top.Titles, ...(top.Processes ?? [])].map((r) => `${r.join('\t')}\n`).join('');
  await cli.print(tabwrite(text, { minwidth: 20, padding: 3 }));
}
