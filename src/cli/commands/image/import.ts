import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { readJsonMessages } from '../../../client/index.js';
import { parseNormalizedNamed } from '../../../oci/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { displayJsonMessages } from '../../formatter/progress.js';

export function flags(fs: FlagSet) {
  return {
    change: fs.list('change', 'c', 'Apply Dockerfile instruction to the created image'),
    message: fs.string('message', 'm', '', 'Set commit message for imported image'),
    platform: fs.string('platform', '', process.env.DOCKER_DEFAULT_PLATFORM ?? '', 'Set platform if server is multi-platform capable'),
  };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const [src, reference] = args as [string, string | undefined];
  if (reference !== undefined) parseNormalizedNamed(reference);
  let body: Readable | undefined;
  let source = '-';
  if (src === '-') body = cli.in as unknown as Readable;
  else if (src.startsWith('https://') || src.startsWith('http://')) source = src;
  else {
    body = createReadStream(src);
    await new Promise<void>((resolve, reject) => {
      body!.once('open', () => resolve());
      body!.once('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code === 'ENOENT' ? `open ${src}: no such file or directory` : `open ${src}: ${e.message}`)));
    });
  }
  const client = await cli.client();
  const res = await client.imageImport({
    source, body, repo: reference, message: o.message.get || undefined, changes: o.change.get, platform: o.platform.get || undefined,
  });
  await displayJsonMessages(readJsonMessages(res), cli.out, { isTerminal: !!cli.out.isTTY, width: cli.out.columns });
}
