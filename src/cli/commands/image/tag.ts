import { parseAnyReference, parseNormalizedNamed, referenceName, tagNameOnly } from '../../../oci/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { errorText } from '../common.js';

export function flags(_fs: FlagSet) {
  return {};
}

export async function run(cli: Cli, _o: unknown, args: string[]): Promise<void> {
  const [source, target] = args as [string, string];
  // Checked on the client as docker does; the daemon gets the full name and the tag apart.
  try {
    parseAnyReference(source);
  } catch (e) {
    throw new Error(`Error parsing reference: ${JSON.stringify(source)} is not a valid repository/tag: ${errorText(e)}`);
  }
  let ref;
  try {
    ref = parseNormalizedNamed(target);
  } catch (e) {
    throw new Error(`Error parsing reference: ${JSON.stringify(target)} is not a valid repository/tag: ${errorText(e)}`);
  }
  if (ref.digest !== undefined) throw new Error('refusing to create a tag with a digest reference');
  ref = tagNameOnly(ref);
  const client = await cli.client();
  await client.imageTag(source, referenceName(ref), ref.tag);
}
