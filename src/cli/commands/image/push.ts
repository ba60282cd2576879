import { readJsonMessages } from '../../../client/index.js';
import { familiarString, isNameOnly, parseNormalizedNamed, referenceName, tagNameOnly } from '../../../oci/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { displayJsonMessages } from '../../formatter/progress.js';
import { registryAuth } from '../registry/credentials.js';

export function flags(fs: FlagSet) {
  const f = {
    allTags: fs.bool('all-tags', 'a', false, 'Push all tags of an image to the repository'),
    disableContentTrust: fs.bool('disable-content-trust', '', true, 'Skip image signing'),
    platform: fs.string('platform', '', '', 'Push a platform-specific manifest as a single-platform image to the registry.\nImage index won\'t be pushed, meaning that other manifests, including attestations won\'t be preserved.\n\'os[/arch[/variant]]\': Explicit platform (eg. linux/amd64)'),
    quiet: fs.bool('quiet', 'q', false, 'Suppress verbose output'),
  };
  fs.annotate('platform', 'version', '1.46');
  return f;
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  let ref = parseNormalizedNamed(args[0]!);
  if (o.allTags.get && !isNameOnly(ref)) throw new Error("tag can't be used with --all-tags/-a");
  if (!o.allTags.get && isNameOnly(ref)) {
    ref = tagNameOnly(ref);
    if (!o.quiet.get) await cli.print(`Using default tag: ${ref.tag}\n`);
  }
  if (ref.digest !== undefined) throw new Error(`invalid reference format: cannot push a digest reference (${familiarString(ref)})`);
  const client = await cli.client();
  const res = await client.imagePush(referenceName(ref), { tag: ref.tag, registryAuth: await registryAuth(cli, ref.domain) });
  const sink = o.quiet.get ? ({ write: () => true } as unknown as NodeJS.WritableStream) : cli.out;
  await displayJsonMessages(readJsonMessages(res), sink, { isTerminal: !o.quiet.get && !!cli.out.isTTY, width: cli.out.columns });
  if (o.quiet.get) await cli.print(`${familiarString(ref)}\n`);
}
