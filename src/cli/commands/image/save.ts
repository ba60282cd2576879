import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { platformQuery } from '../common.js';
import { copyToStdout, refuseTerminal, saveAtomically } from '../save-to.js';

export function flags(fs: FlagSet) {
  const f = {
    output: fs.string('output', 'o', '', 'Write to a file, instead of STDOUT'),
    platform: fs.string('platform', '', '', 'Save only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")'),
  };
  fs.annotate('platform', 'version', '1.48');
  return f;
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const platforms = o.platform.get ? [platformQuery(o.platform.get)] : undefined;
  if (!o.output.get) refuseTerminal(cli);
  const client = await cli.client();
  const body = await client.imageSave(args, { platforms });
  if (o.output.get) await saveAtomically(body, o.output.get, 'save image');
  else await copyToStdout(cli, body);
}
