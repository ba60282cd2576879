import { readJsonMessages } from '../../../client/index.js';
import { isNameOnly, parseNormalizedNamed, referenceString, tagNameOnly } from '../../../oci/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { displayJsonMessages } from '../../formatter/progress.js';
import { registryAuth } from '../registry/credentials.js';

export function flags(fs: FlagSet) {
  return {
    allTags: fs.bool('all-tags', 'a', false, 'Download all tagged images in the repository'),
    disableContentTrust: fs.bool('disable-content-trust', '', true, 'Skip image verification'),
    platform: fs.string('platform', '', process.env.DOCKER_DEFAULT_PLATFORM ?? '', 'Set platform if server is multi-platform capable'),
    quiet: fs.bool('quiet', 'q', false, 'Suppress verbose output'),
  };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  let ref = parseNormalizedNamed(args[0]!);
  if (o.allTags.get && !isNameOnly(ref)) throw new Error("tag can't be used with --all-tags/-a");
  if (!o.allTags.get && isNameOnly(ref)) {
    ref = tagNameOnly(ref);
    if (!o.quiet.get) await cli.print(`Using default tag: ${ref.tag}\n`);
  }
  const client = await cli.client();
  const res = await client.imagePull(referenceString(ref), {
    allTags: o.allTags.get, platform: o.platform.get || undefined, registryAuth: await registryAuth(cli, ref.domain),
  });
  const sink = o.quiet.get ? ({ write: () => true } as unknown as NodeJS.WritableStream) : cli.out;
  await displayJsonMessages(readJsonMessages(res), sink, { isTerminal: !o.quiet.get && !!cli.out.isTTY, width: cli.out.columns });
  await cli.print(`${referenceString(ref)}\n`);
}
