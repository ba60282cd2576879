import type { BridgeDriver } from './bridge-driver.js';
import { removeEmptyDnatChain } from './dnat-chains.js';
import { netavarkName } from './netavark.js';
import { macForIpv4, parseCidr, parseIpv4 } from './cidr.js';
import { ipv6AtOffset } from './cidr6.js';
import type { IpamStore } from './ipam-store.js';
import type { NetworkHost } from './network-host.js';
import type { NetnsPool } from './netns-pool.js';
import type { NetworkRecord } from './types.js';

/**
 * Remove a bridge network's bridge and firewall rules: netavark only drops them when the last
 * veth leaves, so the keeper goes and a throwaway endpoint (its own namespace, an address leased
 * for the moment) is set up and torn down. The caller checked that no container uses the network.
 */
export async function flushBridge(deps: { host: NetworkHost; ipam: IpamStore; driver: BridgeDriver; netnsPool: NetnsPool }, network: NetworkRecord): Promise<void> {
  const { host, ipam, driver } = deps;
  if (!(await driver.bridgeExists(network))) {
    await driver.unpin(network);
    return;
  }
  const owner = deps.netnsPool.scratchName();
  const lease = await ipam.allocate(network.id, owner);
  // netavark wants an address on every subnet of the network: an IPv6 one too when it has one
  const c6 = network.enableIPv6 ? network.ipam.config.find((c) => c.subnet.includes(':')) : undefined;
  const c4 = network.ipam.config.find((c) => !c.subnet.includes(':'));
  const ip6 = c6 && c4 ? ipv6AtOffset({ subnet6: c6.subnet, gateway6: c6.gateway, offset: parseIpv4(lease.ip)! - parseCidr(c4.subnet).network }) : undefined;
  try {
    const netnsPath = await host.createNetns(owner, { loopbackUp: false });
    try {
      await driver.flush({
        containerId: owner, containerName: owner, network, netnsPath, interfaceName: 'eth0',
        address: { ip: lease.ip, prefixLen: lease.prefixLen, gateway: lease.gateway, mac: macForIpv4(parseIpv4(lease.ip)!), ...(ip6 ? { ip6 } : {}) },
      });
    } finally {
      await host.deleteNetns(owner);
    }
  } finally {
    await ipam.release(network.id, owner);
  }
  // netavark leaves the network's (empty) DNAT chain behind
  await removeEmptyDnatChain(host, netavarkName(network));
}
