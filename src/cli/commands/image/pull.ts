import { referenceString } from '../../../oci/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { registryAuth } from '../registry/credentials.js';
import { showTransfer, transferReference } from './transfer.js';

export function flags(fs: FlagSet) {
  return {
    allTags: fs.bool('all-tags', 'a', false, 'Download all tagged images in the repository'),
    disableContentTrust: fs.bool('disable-content-trust', '', true, 'Skip image verification'),
    platform: fs.string('platform', '', process.env.DOCKER_DEFAULT_PLATFORM ?? '', 'Set platform if server is multi-platform capable'),
    quiet: fs.bool('quiet', 'q', false, 'Suppress verbose output'),
  };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const ref = await transferReference(cli, args[0]!, { allTags: o.allTags.get, quiet: o.quiet.get });
  const client = await cli.client();
  const res = await client.imagePull(referenceString(ref), {
    allTags: o.allTags.get, platform: o.platform.get || undefined, registryAuth: await registryAuth(cli, ref.domain),
  });
  await showTransfer(cli, res, o.quiet.get);
  await cli.print(`${referenceString(ref)}\n`);
}
