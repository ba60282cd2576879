import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { copyToStdout, refuseTerminal, saveAtomically } from '../save-to.js';

export function flags(fs: FlagSet) {
  return { output: fs.string('output', 'o', '', 'Write to a file, instead of STDOUT') };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  if (!o.output.get) refuseTerminal(cli);
  const client = await cli.client();
  const body = await client.containerExport(args[0]!);
  if (o.output.get) await saveAtomically(body, o.output.get, 'export container');
  else await copyToStdout(cli, body);
}
