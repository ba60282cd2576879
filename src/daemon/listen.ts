import { lookup as dnsLookup } from 'node:dns/promises';
import { chmod, mkdir, unlink } from 'node:fs/promises';
import type { Server } from 'node:http';
import { isIP } from 'node:net';
import { dirname } from 'node:path';
import { InvalidArgumentError, errnoCode } from '../base/index.js';
import { isLoopback, parseTcpHost } from './config.js';

/** Every address a name resolves to (injectable for tests). */
export type Resolver = (host: string) => Promise<string[]>;

const resolveAll: Resolver = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Listen on one -H address: a unix socket (a stale file is replaced) or loopback TCP. A TCP
 * name is resolved first and every address it gives must be loopback; the server then listens
 * on one of those addresses, not on whatever the name resolves to later.
 */
export async function listenOn(newServer: () => Server, host: string, opts: { resolve?: Resolver } = {}): Promise<void> {
  if (host.startsWith('unix://')) {
    const path = host.slice('unix://'.length);
    await mkdir(dirname(path), { recursive: true });
    await unlink(path).catch((e: unknown) => { if (errnoCode(e) !== 'ENOENT') throw e; });
    await listen(newServer(), { path });
    await chmod(path, 0o660);
    return;
  }
  const { host: name, port } = parseTcpHost(host);
  let addrs: string[];
  try {
    addrs = [...new Set(await (opts.resolve ?? resolveAll)(name))];
  } catch (e) {
    throw new InvalidArgumentError(`cannot listen on ${host}: ${name} does not resolve: ${e instanceof Error ? e.message : String(e)}`);
  }
  const outside = addrs.filter((a) => !isLoopback(a));
  if (addrs.length === 0 || outside.length > 0) {
    throw new InvalidArgumentError(`refusing to listen on ${host}: ${name} resolves to ${outside.join(', ') || 'no address'}, not loopback; plain TCP is allowed on loopback only until TLS is configured`);
  }
  // As Go's net.Listen does with a name: one of its addresses, IPv4 first.
  const address = addrs.find((a) => isIP(a) === 4) ?? addrs[0]!;
  await listen(newServer(), { host: address, port });
}

function listen(server: Server, addr: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr, () => { server.off('error', reject); resolve(); });
  });
}
