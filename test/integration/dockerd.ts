import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DOCKER, eventually, run, type RunResult } from './harness.js';

export interface TestDockerd {
  sock: string;
  docker(args: string[], opts?: { input?: string | Buffer; timeoutMs?: number }): Promise<RunResult>;
  cleanup(): Promise<void>;
}

/**
 * A real dockerd of our own: socket, data root, exec root and a bridge of its own (never docker0,
 * never `--bridge none`), no iptables rules, so that nothing of the host's is touched. Its
 * cleanup stops it and removes exactly what it made.
 */
export async function startDockerd(dir: string, opts: { bridge: string; cidr: string }): Promise<TestDockerd> {
  const sock = join(dir, 'docker.sock');
  const ip = (args: string[]): void => { spawnSync('ip', args, { stdio: 'ignore' }); };
  ip(['link', 'add', opts.bridge, 'type', 'bridge']);
  ip(['addr', 'add', opts.cidr, 'dev', opts.bridge]);
  ip(['link', 'set', opts.bridge, 'up']);
  const proc: ChildProcess = spawn('dockerd', [
    '-H', `unix://${sock}`, '--data-root', join(dir, 'docker'), '--exec-root', join(dir, 'docker-run'), '--pidfile', join(dir, 'dockerd.pid'),
    '--bridge', opts.bridge, '--iptables=false', '--ip-masq=false', '--userland-proxy=false',
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
  let log = '';
  proc.stderr!.on('data', (b: Buffer) => { log += b.toString(); });
  const docker = (args: string[], o?: { input?: string | Buffer; timeoutMs?: number }): Promise<RunResult> =>
    run(DOCKER, ['-H', `unix://${sock}`, ...args], { ...o, env: { ...process.env, DOCKER_CONFIG: join(dir, 'docker-config') } });
  const cleanup = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
    const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(dir)).sort().reverse();
    for (const m of mounts) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
    ip(['link', 'del', opts.bridge]);
    await rm(join(dir, 'docker'), { recursive: true, force: true }).catch(() => {});
  };
  try {
    await eventually(async () => existsSync(sock) && (await docker(['version', '--format', '{{.Server.Version}}'])).code === 0, 60_000);
  } catch (e) {
    await cleanup();
    throw new Error(`dockerd did not start: ${(e as Error).message}\n${log}`);
  }
  return { sock, docker, cleanup };
}
