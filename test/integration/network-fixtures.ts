import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import type { TestDaemon } from './harness.js';

/** A network test's end: every container and user-defined network of the daemon, then the daemon. */
export async function removeEverything(d: TestDaemon | undefined): Promise<void> {
  if (!d) return;
  const ids = (await d.docker(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
  if (ids.length) await d.docker(['rm', '-f', ...ids], { timeoutMs: 300_000 });
  await d.docker(['network', 'prune', '-f']);
  await d.cleanup();
}

/** The host's iptables rules (nat and filter) whose text contains `text`. */
export function rulesMentioning(text: string): string[] {
  return ['nat', 'filter'].flatMap((t) => spawnSync('iptables', ['-w', '-t', t, '-S'], { encoding: 'utf8' }).stdout.split('\n').filter((r) => r.includes(text)));
}

/** GET http://host:port/ from this (the host's) namespace; undefined when nothing answers. */
export function httpGet(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', timeout: 2000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}
