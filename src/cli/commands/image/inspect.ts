import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { INSPECT_FORMAT_HELP, platformQuery } from '../common.js';
import { runInspect } from '../inspect-run.js';

export function flags(fs: FlagSet) {
  const f = {
    format: fs.string('format', 'f', '', INSPECT_FORMAT_HELP),
    platform: fs.string('platform', '', '', "Inspect a specific platform of the multi-platform image.\nIf the image or the server is not multi-platform capable, the command will error out if the platform does not match.\n'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)"),
  };
  fs.annotate('platform', 'version', '1.49');
  return f;
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const platform = o.platform.get ? platformQuery(o.platform.get) : undefined;
  const client = await cli.client();
  await runInspect(cli, args, o.format.get, (ref) => client.imageInspectRaw(ref, { platform }));
}
