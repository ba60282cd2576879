import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { humanSize4 } from '../../formatter/text.js';
import { confirm } from '../common.js';

export function flags(fs: FlagSet) {
  return {
    all: fs.bool('all', 'a', false, 'Remove all unused build cache, not just dangling ones'),
    filter: fs.filter('filter', '', 'Provide filter values (e.g. "until=24h")'),
    force: fs.bool('force', 'f', false, 'Do not prompt for confirmation'),
    keepStorage: fs.bytes('keep-storage', '', 'Amount of disk space to keep for cache'),
  };
}

const ALL = 'WARNING! This will remove all build cache.\nAre you sure you want to continue?';
const DANGLING = 'WARNING! This will remove all dangling build cache.\nAre you sure you want to continue?';

export async function run(cli: Cli, o: ReturnType<typeof flags>, _args: string[]): Promise<void> {
  if (!o.force.get && !(await confirm(cli, o.all.get ? ALL : DANGLING))) return;
  const client = await cli.client();
  const report = await client.json<{ CachesDeleted: string[] | null; SpaceReclaimed: number }>('/build/prune', {
    method: 'POST',
    query: {
      all: o.all.get ? '1' : undefined,
      'keep-storage': o.keepStorage.get ? String(o.keepStorage.get) : undefined,
      filters: Object.keys(o.filter.get).length ? JSON.stringify(o.filter.get) : undefined,
    },
  });
  const deleted = report.CachesDeleted ?? [];
  if (deleted.length > 0) await cli.print(`Deleted build cache objects:\n${deleted.map((d) => `${d}\n`).join('')}\n`);
  await cli.print(`Total reclaimed space: ${humanSize4(report.SpaceReclaimed ?? 0)}\n`);
}
