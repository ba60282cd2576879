import type { Cli } from '../cli.js';
import { StatusError } from '../errors.js';
import type { InspectedObject } from '../formatter/inspect.js';
import { inspectRefs } from '../formatter/inspect.js';

/** Print what inspectRefs produced and fail like docker (exit 1 per-ref, 64 for templates). */
export async function runInspect(cli: Cli, refs: readonly string[], format: string, getRef: (ref: string) => Promise<InspectedObject>): Promise<void> {
  const r = await inspectRefs(refs, format, getRef);
  await cli.print(r.output);
  if (r.exitCode !== 0) throw new StatusError(r.exitCode, r.errors.join('\n'));
}
