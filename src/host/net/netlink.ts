import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

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
 * run ip(8), a process per call (60-160 ms each on a loaded machine). Where dist/native/ sits is
 * as for native.ts: one level above the bundle, three above tsc's output of this file.
 */
export const netlinkAddon: NetlinkAddon | undefined = (() => {
  const require = createRequire(import.meta.url);
  for (const rel of ['../native/berth-netlink.node', '../../../native/berth-netlink.node']) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return require(path) as NetlinkAddon;
  }
  return undefined;
})();
