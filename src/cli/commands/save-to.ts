import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Cli } from '../cli.js';

/** docker's check before writing a tar to stdout. */
export function refuseTerminal(cli: Cli): void {
  if (cli.out.isTTY) throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
}

/** Write `body` to `path` atomically (temp file in the same directory, then rename), mode 0600. */
export async function saveAtomically(body: Readable, path: string, what: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await pipeline(body, createWriteStream(tmp, { mode: 0o600 }));
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw new Error(`failed to ${what}: ${(e as Error).message}`);
  }
}

/** Stream `body` to stdout with back-pressure. */
export async function copyToStdout(cli: Cli, body: AsyncIterable<Buffer | string>): Promise<void> {
  for await (const chunk of body) {
    if (!cli.out.write(chunk)) await new Promise((r) => cli.out.once('drain', r));
  }
}
