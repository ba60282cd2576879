import type { Cli } from '../cli.js';
import { StatusError } from '../errors.js';

export const FORMAT_HELP = `Format output using a custom template:
'table':            Print output in table format with column headers (default)
'table TEMPLATE':   Print output in table format using the given Go template
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

export const INSPECT_FORMAT_HELP = `Format output using a custom template:
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Run `op` on every item concurrently (docker's parallelOperation), then print each
 * success in argument order; failures are joined into one error (exit 1).
 */
export async function forEachParallel(cli: Cli, items: readonly string[], op: (item: string) => Promise<void>, opts: { onError?: (item: string, e: unknown) => boolean } = {}): Promise<void> {
  const results = await Promise.allSettled(items.map((i) => op(i)));
  const errs: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const r = results[i]!;
    if (r.status === 'fulfilled') await cli.print(`${items[i]}\n`);
    else if (!opts.onError?.(items[i]!, r.reason)) errs.push(errorText(r.reason));
  }
  if (errs.length > 0) throw new StatusError(1, errs.join('\n'));
}

/** Like forEachParallel but one at a time (restart, wait). */
export async function forEachSequential(cli: Cli, items: readonly string[], op: (item: string) => Promise<string | void>): Promise<void> {
  const errs: string[] = [];
  for (const item of items) {
    try {
      const out = await op(item);
      await cli.print(`${out ?? item}\n`);
    } catch (e) {
      errs.push(errorText(e));
    }
  }
  if (errs.length > 0) throw new StatusError(1, errs.join('\n'));
}

/** docker's prune confirmation: true when the user answers y/yes on stdin. */
export async function confirm(cli: Cli, message: string): Promise<boolean> {
  cli.out.write(`${message} [y/N] `);
  const line = await readLine(cli.in);
  const a = line.trim().toLowerCase();
  return a === 'y' || a === 'yes';
}

async function readLine(input: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    let buf = '';
    const onData = (d: Buffer | string): void => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.slice(0, nl));
    };
    const done = (s: string): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause?.();
      resolve(s);
    };
    const onEnd = (): void => done(buf);
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume?.();
  });
}
