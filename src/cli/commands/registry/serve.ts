import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { runRegistryProgram } from './program.js';

export function flags(_fs: FlagSet) {
  return {};
}

/** `berth registry serve [config.yml]`: the OCI distribution API, configured as the reference registry. */
export async function run(cli: Cli, _o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  await runRegistryProgram(cli, ['serve', ...args]);
}
