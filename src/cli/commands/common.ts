import type { Cli } from '../cli.js';
import { StatusError } from '../errors.js';
import { humanSize4 } from '../formatter/text.js';

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

/** A prune's report as docker prints it: the heading and the names deleted (if any), then the space reclaimed. */
export async function printPruned(cli: Cli, heading: string, deleted: readonly string[], spaceReclaimed: number): Promise<void> {
  if (deleted.length > 0) await cli.print(`${heading}:\n${deleted.map((n) => `${n}\n`).join('')}\n`);
  await cli.print(`Total reclaimed space: ${humanSize4(deleted.length > 0 ? spaceReclaimed : 0)}\n`);
}

/** docker's prompt.Confirm: true only when the user answers "y" (any case). */
export async function confirm(cli: Cli, message: string): Promise<boolean> {
  cli.out.write(`${message} [y/N] `);
  const line = await readLine(cli.in);
  return line.trim().toLowerCase() === 'y';
}

/** Add the config file's pruneFilters to the command line ones, as docker's PruneFilters. */
export async function pruneFilters(cli: Cli, f: Record<string, string[]>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, [...v]]));
  const cfg = (await cli.config()).pruneFilters;
  if (!Array.isArray(cfg)) return out;
  for (const entry of cfg) {
    if (typeof entry !== 'string') continue;
    const i = entry.indexOf('=');
    if (i < 0) continue;
    const k = entry.slice(0, i);
    const v = entry.slice(i + 1);
    if (k === 'label' && out['label!']?.includes(v)) continue;
    if (k === 'label!' && out.label?.includes(v)) continue;
    (out[k] ??= []).includes(v) || out[k]!.push(v);
  }
  return out;
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

/** "os[/arch[/variant]]" as the JSON the API's `platform` query takes for inspect, history, save and load. */
export function platformQuery(s: string): string {
  const [os = '', architecture = '', variant] = s.toLowerCase().split('/');
  if (!os) throw new Error(`"${s}": unknown operating system or architecture: invalid argument`);
  return JSON.stringify({ architecture: architecture || process.arch.replace('x64', 'amd64').replace('ia32', '386'), os, ...(variant ? { variant } : {}) });
}
