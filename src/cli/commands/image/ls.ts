import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { renderRows } from '../../formatter/format.js';
import { IMAGE_HEADERS, imageFormat, imageRows } from '../../formatter/image.js';
import { FORMAT_HELP } from '../common.js';

export function flags(fs: FlagSet) {
  const f = {
    all: fs.bool('all', 'a', false, 'Show all images (default hides intermediate images)'),
    digests: fs.bool('digests', '', false, 'Show digests'),
    filter: fs.filter(),
    format: fs.string('format', '', '', FORMAT_HELP),
    noTrunc: fs.bool('no-trunc', '', false, "Don't truncate output"),
    quiet: fs.bool('quiet', 'q', false, 'Only show image IDs'),
    tree: fs.bool('tree', '', false, 'List multi-platform images as a tree (EXPERIMENTAL)'),
  };
  fs.annotate('tree', 'version', '1.47');
  return f;
}

const AMBIGUOUS = new Set(['build', 'history', 'import', 'inspect', 'list', 'load', 'ls', 'prune', 'pull', 'push', 'rm', 'save', 'tag']);

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const filters = { ...o.filter.get };
  const match = args[0];
  if (match !== undefined) filters.reference = [...(filters.reference ?? []), match];
  if (o.tree.get) {
    if (o.quiet.get) throw new Error('--quiet is not yet supported with --tree');
    if (o.noTrunc.get) throw new Error('--no-trunc is not yet supported with --tree');
    if (o.digests.get) throw new Error('--show-digest is not yet supported with --tree');
    if (o.format.get) throw new Error('--format is not yet supported with --tree');
  }
  const client = await cli.client();
  const images = await client.imageList({ all: o.all.get, filters });
  let format = o.format.get;
  if (format === '') {
    const cfg = (await cli.config()).imagesFormat;
    format = typeof cfg === 'string' && cfg !== '' && !o.quiet.get ? cfg : 'table';
  }
  const fmt = imageFormat(format, { quiet: o.quiet.get, digests: o.digests.get });
  const rows = imageRows(images, { trunc: !o.noTrunc.get, digests: o.digests.get, format: fmt });
  await cli.print(renderRows(fmt, rows, IMAGE_HEADERS));
  if (match !== undefined && images.length === 0 && cli.commandPath.endsWith(' images') && AMBIGUOUS.has(match)) {
    cli.printErr(`\nNo images found matching ${JSON.stringify(match)}: did you mean "berth image ${match}"?\n`);
  }
}
