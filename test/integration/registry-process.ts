import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../../..');
export const BERTH_CLI = join(REPO, 'bin/berth.cjs');

export interface TestRegistry {
  /** host:port */
  addr: string;
  url: string;
  config: string;
  proc: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

/**
 * `berth registry serve <dir>/<name>.yml` on a port the kernel picks (http.addr 127.0.0.1:0),
 * with `yaml` as the configuration; resolves once it logs where it listens.
 */
export async function startRegistry(dir: string, name: string, yaml: string, opts: { scheme?: 'http' | 'https'; env?: NodeJS.ProcessEnv } = {}): Promise<TestRegistry> {
  const config = join(dir, `${name}.yml`);
  writeFileSync(config, yaml);
  const proc = spawn(process.execPath, [BERTH_CLI, 'registry', 'serve', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  const addr = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`registry ${name} did not start:\n${out}`)), 30_000);
    proc.stderr!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on ([^"]+)"/.exec(out);
      if (m) { clearTimeout(timer); res(m[1]!); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); rej(new Error(`registry ${name} exited ${code}:\n${out}`)); });
  });
  return {
    addr, config, proc, url: `${opts.scheme ?? 'http'}://${addr}`,
    log: () => out,
    stop: () => new Promise((res) => {
      if (proc.exitCode !== null || proc.signalCode !== null) { res(); return; }
      proc.once('exit', () => res());
      proc.kill('SIGTERM');
    }),
  };
}
