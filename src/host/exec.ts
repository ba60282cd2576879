import { spawn, type StdioOptions } from 'node:child_process';
import { InternalError } from '../base/index.js';
import { hostAddon, type HostAddon } from './native.js';
import { spawnNative } from './native-spawn.js';
import { collectOutput } from './output.js';

export interface ExecOptions {
  stdin?: string | Uint8Array;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
  /** Resolve with the result instead of throwing when the exit code is not 0. */
  allowFailure?: boolean;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A host command that failed; carries what it printed. */
export class HostCommandError extends InternalError {
  constructor(readonly argv: readonly string[], readonly result: ExecResult) {
    super(`${argv[0]} failed (exit ${result.code}): ${(result.stderr || result.stdout).trim()}`);
  }
}

/** Run a program to completion and collect its output. The only way berth runs host tools. */
export function exec(file: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return hostAddon ? execNative(hostAddon, file, args, opts) : execForked(file, args, opts);
}

function settle(file: string, args: readonly string[], opts: ExecOptions, result: ExecResult): ExecResult {
  if (result.code !== 0 && !opts.allowFailure) throw new HostCommandError([file, ...args], result);
  return result;
}

/** exec() through posix_spawn (the addon): the daemon is not forked. */
async function execNative(addon: HostAddon, file: string, args: readonly string[], opts: ExecOptions): Promise<ExecResult> {
  opts.signal?.throwIfAborted();
  const child = spawnNative(addon, file, args, { env: opts.env, cwd: opts.cwd, fds: [opts.stdin === undefined ? 'null' : 'in', 'out', 'out'] });
  const [stdin, stdout, stderr] = child.streams;
  const onAbort = (): void => { try { process.kill(child.pid, 'SIGTERM'); } catch { /* gone already */ } };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (stdin && opts.stdin !== undefined) {
      stdin.on('error', () => {}); // a child that exits without reading all of it is not our failure
      stdin.end(opts.stdin);
    }
    const out = collectOutput(stdout!);
    const err = collectOutput(stderr!);
    await Promise.all([out.closed, err.closed]);
    const { code, signal } = await child.exited();
    return settle(file, args, opts, { code: code ?? (signal ? 128 : 1), stdout: out.text(), stderr: err.text() });
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** exec() through node:child_process (no addon built). */
function execForked(file: string, args: readonly string[], opts: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const stdio: StdioOptions = [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'];
    const child = spawn(file, args, { stdio, env: opts.env ?? process.env, cwd: opts.cwd, signal: opts.signal });
    const out = collectOutput(child.stdout!);
    const err = collectOutput(child.stderr!);
    child.on('error', reject);
    child.on('close', (code, sig) => {
      try {
        resolve(settle(file, args, opts, { code: code ?? (sig ? 128 : 1), stdout: out.text(), stderr: err.text() }));
      } catch (e) {
        reject(e);
      }
    });
    if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
  });
}
