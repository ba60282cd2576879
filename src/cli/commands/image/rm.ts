import { isNotFound } from '../../../client/index.js';
import type { Cli } from '../../cli.js';
import { StatusError } from '../../errors.js';
import type { FlagSet } from '../../flags/index.js';
import { errorText, platformQuery } from '../common.js';

export function flags(fs: FlagSet) {
  const f = {
    force: fs.bool('force', 'f', false, 'Force removal of the image'),
    noPrune: fs.bool('no-prune', '', false, 'Do not delete untagged parents'),
    platform: fs.list('platform', '', 'Remove only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")', undefined, { type: 'strings' }),
  };
  fs.annotate('platform', 'version', '1.50');
  return f;
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  const platforms = o.platform.get.flatMap((p) => p.split(',')).map(platformQuery);
  let fatal = false;
  const errs: string[] = [];
  for (const img of args) {
    try {
      const dels = await client.imageRemove(img, { force: o.force.get, noPrune: o.noPrune.get, platforms });
      let out = '';
      for (const d of dels ?? []) out += d.Deleted ? `Deleted: ${d.Deleted}\n` : `Untagged: ${d.Untagged}\n`;
      await cli.print(out);
    } catch (e) {
      if (!isNotFound(e)) fatal = true;
      errs.push(errorText(e));
    }
  }
  if (errs.length === 0) return;
  if (!o.force.get || fatal) throw new StatusError(1, errs.join('\n'));
  cli.printErr(`${errs.join('\n')}\n`);
}
