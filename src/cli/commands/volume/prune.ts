import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { confirm, printPruned, pruneFilters } from '../common.js';

export function flags(fs: FlagSet) {
  const f = {
    all: fs.bool('all', 'a', false, 'Remove all unused volumes, not just anonymous ones'),
    filter: fs.filter('filter', '', 'Provide filter values (e.g. "label=<label>")'),
    force: fs.bool('force', 'f', false, 'Do not prompt for confirmation'),
  };
  fs.annotate('all', 'version', '1.42');
  return f;
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, _args: string[]): Promise<void> {
  const filters = await pruneFilters(cli, o.filter.get);
  if (o.all.get) {
    if (filters.all) throw new Error('conflicting options: cannot specify both --all and --filter all=1');
    filters.all = ['true'];
  }
  const what = o.all.get ? 'all local volumes' : 'anonymous local volumes';
  if (!o.force.get && !(await confirm(cli, `WARNING! This will remove ${what} not used by at least one container.\nAre you sure you want to continue?`))) return;
  const client = await cli.client();
  const report = await client.volumePrune(filters);
  await printPruned(cli, 'Deleted Volumes', report.VolumesDeleted ?? [], report.SpaceReclaimed ?? 0);
}
