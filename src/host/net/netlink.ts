import { loadAddon } from '../native.js';

/** rtnetlink calls from berth's second addon (src/host/native/berth-netlink.c), on libuv's thread pool. */
export interface NetlinkAddon {
  /**
   * A veth pair: `host` on `bridge` and up, `peer` (MAC `mac`) in the namespace at `netnsPath`
   * with lo up, the address `ip`/`prefixLen`, and a default route via `gateway` when given.
   * `mtu` 0 keeps the kernel's.
   */
  wireVeth(host: string, peer: string, mac: string, netnsPath: string, bridge: string, mtu: number, ip: string, prefixLen: number, gateway: string | null): Promise<boolean>;
  /** Delete an interface, in the namespace at `netnsPath` or the daemon's own (null): false when there was none. */
  deleteLink(netnsPath: string | null, name: string): Promise<boolean>;
}

/**
 * The addon, or undefined when it was not built (no compiler or Node headers): the callers then
 * run ip(8), a process per call (60-160 ms each on a loaded machine).
 */
export const netlinkAddon: NetlinkAddon | undefined = loadAddon<NetlinkAddon>('berth-netlink.node');
