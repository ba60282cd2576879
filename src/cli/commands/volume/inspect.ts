import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { INSPECT_FORMAT_HELP } from '../common.js';
import { runInspect } from '../inspect-run.js';

export function flags(fs: FlagSet) {
  return {
    format: fs.string('format', 'f', '', INSPECT_FORMAT_HELP),
  };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  await runInspect(cli, args, o.format.get, (name) => client.volumeInspectRaw(name));
}
