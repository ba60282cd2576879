import { isNotFound } from '../../../client/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { errorText, forEachParallel } from '../common.js';

export function flags(fs: FlagSet) {
  return {
    force: fs.bool('force', 'f', false, 'Force the removal of a running container (uses SIGKILL)'),
    link: fs.bool('link', 'l', false, 'Remove the specified link'),
    volumes: fs.bool('volumes', 'v', false, 'Remove anonymous volumes associated with the container'),
  };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  await forEachParallel(
    cli,
    args,
    async (name) => {
      const id = name.replace(/^\/+|\/+$/g, '');
      if (id === '') throw new Error('container name cannot be empty');
      await client.containerRemove(id, { force: o.force.get, volumes: o.volumes.get, link: o.link.get });
    },
    {
      // With -f a missing container is reported but does not fail the command.
      onError: (_name, e) => {
        if (!o.force.get || !isNotFound(e)) return false;
        cli.printErr(`${errorText(e)}\n`);
        return true;
      },
    },
  );
}
