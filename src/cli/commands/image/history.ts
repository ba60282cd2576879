import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { renderRows } from '../../formatter/format.js';
import { HISTORY_HEADERS, historyFormat, historyRow } from '../../formatter/image.js';
import { FORMAT_HELP } from '../common.js';

export function flags(fs: FlagSet) {
  const f = {
    format: fs.string('format', '', '', FORMAT_HELP),
    human: fs.bool('human', 'H', true, 'Print sizes and dates in human readable format'),
    noTrunc: fs.bool('no-trunc', '', false, "Don't truncate output"),
    platform: fs.string('platform', '', '', 'Show history for the given platform. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")'),
    quiet: fs.bool('quiet', 'q', false, 'Only show image IDs'),
  };
  fs.annotate('platform', 'version', '1.48');
  return f;
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  const history = await client.imageHistory(args[0]!, { platform: o.platform.get || undefined });
  const format = historyFormat(o.format.get || 'table', { quiet: o.quiet.get, human: o.human.get });
  const rows = history.map((h) => historyRow(h, { trunc: !o.noTrunc.get, human: o.human.get }));
  await cli.print(renderRows(format, rows, HISTORY_HEADERS));
}
