import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cli } from '../../cli.js';
import { StatusError } from '../../errors.js';

/** A file of this berth installation (`bin/berth-registry.js`), found upwards from this module (tsc's output or the bundle). */
export function installedFile(rel: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, rel);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new StatusError(1, `Cannot find ${rel} in this berth installation`);
    dir = up;
  }
}

/**
 * Run the registry program (its own process: the CLI talks to engines only through the Engine
 * API, see docs/decisions/0012-registry-server-program.md) with the CLI's streams; SIGINT and
 * SIGTERM reach it, and its exit code becomes the command's.
 */
export async function runRegistryProgram(cli: Cli, args: string[]): Promise<void> {
  const child = spawn(process.execPath, [installedFile('bin/berth-registry.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(cli.out, { end: false });
  child.stderr.pipe(cli.err, { end: false });
  const forward = (sig: NodeJS.Signals): void => { child.kill(sig); };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    const code = await new Promise<number>((res, rej) => {
      child.on('error', rej);
      child.on('close', (c, sig) => res(c ?? (sig ? 128 + 15 : 1)));
    });
    if (code !== 0) throw new StatusError(code);
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}
