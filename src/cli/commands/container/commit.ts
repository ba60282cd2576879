import { containerCommit } from '../../../client/index.js';
import { parseNormalizedNamed } from '../../../oci/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';

export function flags(fs: FlagSet) {
  return {
    author: fs.string('author', 'a', '', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")'),
    change: fs.list('change', 'c', 'Apply Dockerfile instruction to the created image'),
    message: fs.string('message', 'm', '', 'Commit message'),
    pause: fs.bool('pause', 'p', true, 'Pause container during commit'),
  };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const [container, reference] = args as [string, string | undefined];
  if (reference) parseNormalizedNamed(reference);
  const client = await cli.client();
  const id = await containerCommit(client, container, {
    ...(reference ? { reference } : {}), comment: o.message.get, author: o.author.get, changes: o.change.get, pause: o.pause.get,
  });
  await cli.print(`${id}\n`);
}
