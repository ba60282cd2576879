import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { renderRows } from '../../formatter/format.js';
import { VOLUME_HEADERS, volumeFormat, volumeRows } from '../../formatter/volume.js';
import { FORMAT_HELP } from '../common.js';

export function flags(fs: FlagSet) {
  return {
    filter: fs.filter('filter', 'f', "Provide filter values (e.g. \"dangling=true\")"),
    format: fs.string('format', '', '', FORMAT_HELP),
    quiet: fs.bool('quiet', 'q', false, 'Only display volume names'),
  };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, _args: string[]): Promise<void> {
  const client = await cli.client();
  const res = await client.volumeList(o.filter.get);
  let format = o.format.get;
  if (format === '') {
    const cfg = (await cli.config()).volumesFormat;
    format = typeof cfg === 'string' && cfg !== '' && !o.quiet.get ? cfg : 'table';
  }
  const fmt = volumeFormat(format, o.quiet.get);
  await cli.print(renderRows(fmt, volumeRows(res.Volumes ?? []), VOLUME_HEADERS));
}
