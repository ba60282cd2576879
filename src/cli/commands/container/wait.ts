import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { forEachSequential } from '../common.js';

export function flags(_fs: FlagSet) {
  return {};
}

export async function run(cli: Cli, _o: unknown, args: string[]): Promise<void> {
  const client = await cli.client();
  await forEachSequential(cli, args, async (id) => {
    const { result } = await client.containerWait(id, 'not-running');
    const r = await result;
    if (r.Error?.Message) throw new Error(r.Error.Message);
    return String(r.StatusCode);
  });
}
