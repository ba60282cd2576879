import { spawn } from 'node:child_process';
import { Duplex, PassThrough, type Readable } from 'node:stream';
import { InternalError } from '../base/index.js';

/**
 * Run a host filter program (xz -dc, bzip2 -dc, zstd -dc...) as a Duplex: bytes written
 * go to its stdin, its stdout is readable. A non-zero exit is an error on the stream.
 */
export function spawnFilter(file: string, args: readonly string[], opts: { signal?: AbortSignal } = {}): Duplex {
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: opts.signal });
  const out = new PassThrough();
  const err: Buffer[] = [];
  child.stderr!.on('data', (b: Buffer) => { if (err.length < 64) err.push(b); });
  let exited = false;
  let stdoutEnded = false;
  let code: number | null = null;
  const finish = (): void => {
    if (!exited || !stdoutEnded) return;
    if (code !== 0) out.destroy(new InternalError(`${file} failed (exit ${code}): ${Buffer.concat(err).toString().trim()}`));
    else out.end();
  };
  child.stdout!.on('data', (b: Buffer) => { if (!out.write(b)) child.stdout!.pause(); });
  out.on('drain', () => child.stdout!.resume());
  child.stdout!.on('end', () => { stdoutEnded = true; finish(); });
  child.on('error', (e) => out.destroy(e));
  child.on('close', (c, sig) => { exited = true; code = c ?? (sig ? 128 : 1); finish(); });
  child.stdin!.on('error', () => { /* the filter exited early; its exit status reports why */ });
  const duplex = Duplex.from({ writable: child.stdin!, readable: out as Readable });
  duplex.on('close', () => { if (!exited) child.kill('SIGKILL'); });
  return duplex;
}
