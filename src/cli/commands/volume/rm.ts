import type { Cli } from '../../cli.js';
import { StatusError } from '../../errors.js';
import type { FlagSet } from '../../flags/index.js';
import { errorText } from '../common.js';

export function flags(fs: FlagSet) {
  return {
    force: fs.bool('force', 'f', false, 'Force the removal of one or more volumes'),
  };
}

/** docker volume rm: each in turn, the names removed printed, the errors joined (exit 1). */
export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  const errs: string[] = [];
  for (const name of args) {
    try {
      await client.volumeRemove(name, { force: o.force.get });
      await cli.print(`${name}\n`);
    } catch (e) {
      errs.push(errorText(e));
    }
  }
  if (errs.length) throw new StatusError(1, errs.join('\n'));
}
