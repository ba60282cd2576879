import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { runRegistryProgram } from './program.js';

export function flags(fs: FlagSet) {
  return {
    dryRun: fs.bool('dry-run', 'd', false, 'Do everything except remove the blobs'),
    deleteUntagged: fs.bool('delete-untagged', 'm', false, 'Delete manifests that are not currently referenced via tag'),
  };
}

/** `berth registry garbage-collect [--dry-run] [--delete-untagged] config.yml`, on a stopped or read-only registry. */
export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  await runRegistryProgram(cli, ['garbage-collect', ...(o.dryRun.get ? ['--dry-run'] : []), ...(o.deleteUntagged.get ? ['--delete-untagged'] : []), ...args]);
}
