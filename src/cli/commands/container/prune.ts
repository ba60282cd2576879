import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { confirm, printPruned, pruneFilters } from '../common.js';

export function flags(fs: FlagSet) {
  return {
    filter: fs.filter('filter', '', 'Provide filter values (e.g. "until=<timestamp>")'),
    force: fs.bool('force', 'f', false, 'Do not prompt for confirmation'),
  };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, _args: string[]): Promise<void> {
  const filters = await pruneFilters(cli, o.filter.get);
  // A "no" ends the command silently with status 0, as docker's cancelled prompt does.
  if (!o.force.get && !(await confirm(cli, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?'))) return;
  const client = await cli.client();
  const report = await client.containerPrune(filters);
  await printPruned(cli, 'Deleted Containers', report.ContainersDeleted ?? [], report.SpaceReclaimed ?? 0);
}
