import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { readJsonMessages } from '../../../client/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { displayJsonMessages } from '../../formatter/progress.js';
import { platformQuery } from '../common.js';
import { copyToStdout } from '../save-to.js';

export function flags(fs: FlagSet) {
  const f = {
    input: fs.string('input', 'i', '', 'Read from tar archive file, instead of STDIN'),
    platform: fs.string('platform', '', '', 'Load only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")'),
    quiet: fs.bool('quiet', 'q', false, 'Suppress the load output'),
  };
  fs.annotate('platform', 'version', '1.48');
  return f;
}

async function openInput(path: string): Promise<Readable> {
  const s = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    s.once('open', () => resolve());
    s.once('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code === 'ENOENT' ? `open ${path}: no such file or directory` : `open ${path}: ${e.message}`)));
  });
  return s;
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, _args: string[]): Promise<void> {
  let input: Readable;
  if (o.input.get === '') {
    if (cli.in.isTTY) throw new Error('requested load from stdin, but stdin is empty');
    input = cli.in as unknown as Readable;
  } else input = await openInput(o.input.get);
  const platforms = o.platform.get ? [platformQuery(o.platform.get)] : undefined;
  const client = await cli.client();
  const res = await client.imageLoad(input, { quiet: o.quiet.get || !cli.out.isTTY, platforms });
  if (String(res.headers['content-type'] ?? '').startsWith('application/json')) {
    await displayJsonMessages(readJsonMessages(res), cli.out, { isTerminal: !!cli.out.isTTY, width: cli.out.columns });
  } else await copyToStdout(cli, res);
}
