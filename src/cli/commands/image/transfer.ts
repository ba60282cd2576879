import type { IncomingMessage } from 'node:http';
import { readJsonMessages } from '../../../client/index.js';
import { isNameOnly, parseNormalizedNamed, tagNameOnly, type Reference } from '../../../oci/index.js';
import type { Cli } from '../../cli.js';
import { displayJsonMessages } from '../../formatter/progress.js';

/** pull's and push's argument as docker reads it: -a takes no tag; a bare name gets the default tag, said aloud. */
export async function transferReference(cli: Cli, arg: string, o: { allTags: boolean; quiet: boolean }): Promise<Reference> {
  const ref = parseNormalizedNamed(arg);
  if (o.allTags && !isNameOnly(ref)) throw new Error("tag can't be used with --all-tags/-a");
  if (o.allTags || !isNameOnly(ref)) return ref;
  const tagged = tagNameOnly(ref);
  if (!o.quiet) await cli.print(`Using default tag: ${tagged.tag}\n`);
  return tagged;
}

/** The daemon's progress stream: live lines on a terminal, plain lines otherwise, nothing with -q. */
export async function showTransfer(cli: Cli, res: IncomingMessage, quiet: boolean): Promise<void> {
  const sink = quiet ? ({ write: () => true } as unknown as NodeJS.WritableStream) : cli.out;
  await displayJsonMessages(readJsonMessages(res), sink, { isTerminal: !quiet && !!cli.out.isTTY, width: cli.out.columns });
}
