import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { renderDiskUsage, renderDiskUsageVerbose } from '../../formatter/disk-usage.js';
import { FORMAT_HELP } from '../common.js';

export function flags(fs: FlagSet) {
  return {
    format: fs.string('format', '', '', FORMAT_HELP),
    verbose: fs.bool('verbose', 'v', false, 'Show detailed information on space usage'),
  };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, _args: string[]): Promise<void> {
  const client = await cli.client();
  const du = await client.systemDiskUsage();
  const format = o.format.get;
  if (o.verbose.get && (format === '' || format === 'table')) await cli.print(renderDiskUsageVerbose(du));
  else await cli.print(renderDiskUsage(du, format));
}
