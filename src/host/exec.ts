import { spawn, type StdioOptions } from 'node:child_process';
import { InternalError } from '../base/index.js';

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
  return new Promise((resolve, reject) => {
    const stdio: StdioOptions = [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'];
    const child = spawn(file, args, { stdio, env: opts.env ?? process.env, cwd: opts.cwd, signal: opts.signal });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, sig) => {
      const result = { code: code ?? (sig ? 128 : 1), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
      if (result.code !== 0 && !opts.allowFailure) reject(new HostCommandError([file, ...args], result));
      else resolve(result);
    });
    if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
  });
}
