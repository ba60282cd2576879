import { createHash } from 'node:crypto';
import type { NetworkHost } from './network-host.js';
import { withSbinPath } from './netavark.js';

/**
 * netavark's per-network chain suffix: the first 13 hex digits of SHA-512 of the network's name
 * (netavark's name, netavark.ts netavarkName), upper case. Only networks berth named give chains
 * berth may touch: another engine's networks have other names.
 */
export function netavarkChainHash(netavarkNetworkName: string): string {
  return createHash('sha512').update(netavarkNetworkName).digest('hex').slice(0, 13).toUpperCase();
}

/** The nat chain netavark keeps a network's published ports in (NETAVARK-DN-<hash>). */
export function dnatChainName(netavarkNetworkName: string): string {
  return `NETAVARK-DN-${netavarkChainHash(netavarkNetworkName)}`;
}

/**
 * netavark 1.4 flushes a network's DNAT chain when its last port mapping goes but leaves the chain.
 * Delete it when it is empty; the kernel refuses to delete a chain something still jumps to, and a
 * chain with rules stays. Returns whether the chain went.
 */
export async function removeEmptyDnatChain(host: NetworkHost, netavarkNetworkName: string): Promise<boolean> {
  const chain = dnatChainName(netavarkNetworkName);
  const env = withSbinPath(process.env);
  const listed = await host.exec('iptables', ['-w', '-t', 'nat', '-S', chain], { env, allowFailure: true });
  if (listed.code !== 0) return false;
  if (listed.stdout.split('\n').some((l) => l.startsWith('-A '))) return false;
  const r = await host.exec('iptables', ['-w', '-t', 'nat', '-X', chain], { env, allowFailure: true });
  return r.code === 0;
}
