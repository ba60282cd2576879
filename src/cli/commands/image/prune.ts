import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { humanSize4 } from '../../formatter/text.js';
import { confirm, pruneFilters } from '../common.js';

export function flags(fs: FlagSet) {
  return {
    all: fs.bool('all', 'a', false, 'Remove all unused images, not just dangling ones'),
    filter: fs.filter('filter', '', 'Provide filter values (e.g. "until=<timestamp>")'),
    force: fs.bool('force', 'f', false, 'Do not prompt for confirmation'),
  };
}

const ALL = 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?';
const DANGLING = 'WARNING! This will remove all dangling images.\nAre you sure you want to continue?';

export async function run(cli: Cli, o: ReturnType<typeof flags>, _args: string[]): Promise<void> {
  const base = { ...o.filter.get, dangling: [...(o.filter.get.dangling ?? []), String(!o.all.get)] };
  const filters = await pruneFilters(cli, base);
  if (!o.force.get && !(await confirm(cli, o.all.get ? ALL : DANGLING))) return;
  const client = await cli.client();
  const report = await client.imagePrune(filters);
  let reclaimed = 0;
  const deleted = report.ImagesDeleted ?? [];
  if (deleted.length > 0) {
    let out = 'Deleted Images:\n';
    for (const d of deleted) out += d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted}\n`;
    await cli.print(`${out}\n`);
    reclaimed = report.SpaceReclaimed ?? 0;
  }
  await cli.print(`Total reclaimed space: ${humanSize4(reclaimed)}\n`);
}
