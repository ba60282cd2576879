import type { Cli } from '../../cli.js';
import { StatusError } from '../../errors.js';
import type { FlagSet } from '../../flags/index.js';
import { errorText } from '../common.js';

export function flags(_fs: FlagSet) {
  return {};
}

export async function run(cli: Cli, _o: unknown, args: string[]): Promise<void> {
  const oldName = args[0]!.trim();
  const newName = args[1]!.trim();
  if (oldName === '' || newName === '') throw new StatusError(1, 'Error: Neither old nor new names may be empty');
  const client = await cli.client();
  try {
    await client.containerRename(oldName, newName);
  } catch (e) {
    cli.printErr(`${errorText(e)}\n`);
    throw new StatusError(1, `Error: failed to rename container named ${oldName}`);
  }
}
