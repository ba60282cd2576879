import { chmod, mkdir, unlink } from 'node:fs/promises';
import type { Server } from 'node:http';
import { dirname } from 'node:path';
import { errnoCode } from '../base/index.js';

/** Listen on one -H address: a unix socket (a stale file is replaced) or loopback TCP. */
export async function listenOn(server: Server, host: string): Promise<void> {
  if (host.startsWith('unix://')) {
    const path = host.slice('unix://'.length);
    await mkdir(dirname(path), { recursive: true });
    await unlink(path).catch((e: unknown) => { if (errnoCode(e) !== 'ENOENT') throw e; });
    await listen(server, { path });
    await chmod(path, 0o660);
    return;
  }
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:]*):(\d+)$/.exec(host)!;
  await listen(server, { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) });
}

function listen(server: Server, addr: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr, () => { server.off('error', reject); resolve(); });
  });
}
