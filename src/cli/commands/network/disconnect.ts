import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';

export function flags(fs: FlagSet) {
  return { force: fs.bool('force', 'f', false, 'Force the container to disconnect from a network') };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  (await client.request(`/networks/${encodeURIComponent(args[0]!)}/disconnect`, { method: 'POST', body: { Container: args[1], Force: o.force.get } })).resume();
}
