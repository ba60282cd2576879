import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { confirm, pruneFilters } from '../common.js';

export function flags(fs: FlagSet) {
  return {
    filter: fs.filter('filter', '', 'Provide filter values (e.g. "until=<timestamp>")'),
    force: fs.bool('force', 'f', false, 'Do not prompt for confirmation'),
  };
}

const WARNING = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?';

export async function run(cli: Cli, o: ReturnType<typeof flags>, _args: string[]): Promise<void> {
  const filters = await pruneFilters(cli, { ...o.filter.get });
  if (!o.force.get && !(await confirm(cli, WARNING))) return;
  const client = await cli.client();
  const q = Object.keys(filters).length ? JSON.stringify(Object.fromEntries(Object.entries(filters).map(([k, v]) => [k, Object.fromEntries(v.map((x) => [x, true]))]))) : undefined;
  const report = await client.json<{ NetworksDeleted: string[] | null }>('/networks/prune', { method: 'POST', query: { filters: q } });
  const deleted = report.NetworksDeleted ?? [];
  if (deleted.length) await cli.print(`Deleted Networks:\n${deleted.map((n) => `${n}\n`).join('')}`);
}
