import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { CONTAINER_HEADERS, containerFormat, containerRow, formatUsesSize } from '../../formatter/container.js';
import { renderRows } from '../../formatter/format.js';
import { FORMAT_HELP } from '../common.js';

export function flags(fs: FlagSet) {
  return {
    all: fs.bool('all', 'a', false, 'Show all containers (default shows just running)'),
    filter: fs.filter(),
    format: fs.string('format', '', '', FORMAT_HELP),
    last: fs.int('last', 'n', -1, 'Show n last created containers (includes all states)'),
    latest: fs.bool('latest', 'l', false, 'Show the latest created container (includes all states)'),
    noTrunc: fs.bool('no-trunc', '', false, "Don't truncate output"),
    quiet: fs.bool('quiet', 'q', false, 'Only display container IDs'),
    size: fs.bool('size', 's', false, 'Display total file sizes'),
  };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, _args: string[]): Promise<void> {
  let format = o.format.get;
  if (format === '') {
    const cfg = (await cli.config()).psFormat;
    if (typeof cfg === 'string') format = cfg;
  } else if (o.quiet.get) cli.printErr('WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
  let limit = o.last.get;
  if (o.latest.get && limit === -1) limit = 1;
  let size = o.size.get;
  if (format !== '' && !o.quiet.get && !size && !o.size.changed && formatUsesSize(format)) size = true;
  const client = await cli.client();
  const list = await client.containerList({ all: o.all.get, limit, size, filters: o.filter.get });
  const trunc = !o.noTrunc.get;
  const rows = list.map((c) => containerRow(c, { trunc }));
  await cli.print(renderRows(containerFormat(format, { quiet: o.quiet.get, size }), rows, CONTAINER_HEADERS));
}
