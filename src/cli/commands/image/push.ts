import { familiarString, referenceName } from '../../../oci/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { registryAuth } from '../registry/credentials.js';
import { showTransfer, transferReference } from './transfer.js';

export function flags(fs: FlagSet) {
  return {
    allTags: fs.bool('all-tags', 'a', false, 'Push all tags of an image to the repository'),
    disableContentTrust: fs.bool('disable-content-trust', '', true, 'Skip image signing'),
    platform: fs.string('platform', '', '', "Push a platform-specific manifest as a single-platform image to the registry.\n'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)"),
    quiet: fs.bool('quiet', 'q', false, 'Suppress verbose output'),
  };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const ref = await transferReference(cli, args[0]!, { allTags: o.allTags.get, quiet: o.quiet.get });
  if (ref.digest !== undefined) throw new Error(`invalid reference format: cannot push a digest reference (${familiarString(ref)})`);
  const client = await cli.client();
  const res = await client.imagePush(referenceName(ref), { tag: ref.tag, platform: o.platform.get || undefined, registryAuth: await registryAuth(cli, ref.domain) });
  await showTransfer(cli, res, o.quiet.get);
  if (o.quiet.get) await cli.print(`${familiarString(ref)}\n`);
}
