import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { InternalError, InvalidArgumentError } from '../../base/index.js';
import { exec } from '../exec.js';
import { netnsPath } from './netns.js';
import { netlinkAddon } from './netlink.js';

/** Whether a network interface of this name exists in the daemon's namespace. */
export async function linkExists(name: string): Promise<boolean> {
  if (name.includes('/') || name === '.' || name === '..') return false;
  return access(`/sys/class/net/${name}`).then(() => true, () => false);
}

/**
 * Let packets addressed to 127.0.0.0/8 be routed out of `bridge` once DNAT has rewritten them
 * (net.ipv4.conf.<bridge>.route_localnet): published ports then answer on the loopback address.
 */
export async function enableRouteLocalnet(bridge: string): Promise<void> {
  if (!IFNAME_RE.test(bridge)) throw new InvalidArgumentError(`Invalid interface name "${bridge}"`);
  await writeFile(`/proc/sys/net/ipv4/conf/${bridge}/route_localnet`, '1');
}

/**
 * Hairpin mode on a bridge port: a frame may leave by the port it came in on, which a container
 * reaching its own published port through a host address needs once br_netfilter DNATs it.
 * `port` is a host interface, or the host end of the veth whose other end is `peer.iface` in
 * the named namespace `peer.netns` (netavark's veth names are its own).
 */
export async function enableHairpin(port: string | { netns: string; iface: string }): Promise<void> {
  let name = port;
  if (typeof name !== 'string') {
    const { netns, iface } = name;
    if (!IFNAME_RE.test(iface) || !/^[A-Za-z0-9_.-]+$/.test(netns)) throw new InvalidArgumentError(`Invalid interface "${iface}" or namespace "${netns}"`);
    const shown = await exec('ip', ['-n', netns, '-o', 'link', 'show', 'dev', iface]);
    const index = /@if(\d+):/.exec(shown.stdout)?.[1];
    if (!index) throw new InternalError(`Cannot find the host end of "${iface}" in namespace "${netns}"`);
    const names = await readdir('/sys/class/net');
    const found = await Promise.all(names.map(async (n) => ((await readFile(`/sys/class/net/${n}/ifindex`, 'utf8').catch(() => '')).trim() === index ? n : undefined)));
    const hit = found.find((n) => n !== undefined);
    if (!hit) throw new InternalError(`Cannot find the host end of "${iface}" in namespace "${netns}"`);
    name = hit;
  }
  if (!IFNAME_RE.test(name)) throw new InvalidArgumentError(`Invalid interface name "${name}"`);
  await writeFile(`/sys/class/net/${name}/brport/hairpin_mode`, '1');
}

/** True when `port` is a port of `bridge` (a keeper left by a deleted bridge is not). */
export async function isBridgePort(bridge: string, port: string): Promise<boolean> {
  if ([bridge, port].some((n) => n.includes('/') || n === '.' || n === '..')) return false;
  return access(`/sys/class/net/${bridge}/brif/${port}`).then(() => true, () => false);
}

/**
 * Enslave a port to `bridge` that never carries traffic: a persistent tap no
 * process reads, so it stays NO-CARRIER (the dummy driver, the obvious choice,
 * is a module that kernels without modules lack). One `ip -batch` process.
 */
export async function addBridgePlaceholder(opts: { name: string; bridge: string }): Promise<void> {
  for (const n of [opts.name, opts.bridge]) if (!IFNAME_RE.test(n)) throw new InvalidArgumentError(`Invalid interface name "${n}"`);
  // A bridge whose address the kernel chose takes its lowest port's: each new veth (a random
  // address) could change it under the containers' ARP caches, and their packets to the gateway
  // (aardvark-dns among them) go astray until the entry expires. Its current address is made its
  // own first, as dockerd sets its bridges' (addr_assign_type 3: set).
  const sys = `/sys/class/net/${opts.bridge}`;
  const [mac, assigned] = await Promise.all([readFile(`${sys}/address`, 'utf8'), readFile(`${sys}/addr_assign_type`, 'utf8')].map((p) => p.then((t) => t.trim(), () => '')));
  const fix = assigned !== '3' && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac ?? '') ? `link set dev ${opts.bridge} address ${mac}\n` : '';
  const script = `${fix}tuntap add dev ${opts.name} mode tap\nlink set dev ${opts.name} master ${opts.bridge} up\n`;
  await exec('ip', ['-batch', '-'], { stdin: script });
}

/** Delete an interface; a missing one is not an error. One netlink call, or ip(8) without the addon. */
export async function deleteLink(name: string): Promise<void> {
  if (!(await linkExists(name))) return;
  if (netlinkAddon) {
    if (!IFNAME_RE.test(name)) throw new InvalidArgumentError(`Invalid interface name "${name}"`);
    await netlinkAddon.deleteLink(null, name).catch(async (e: unknown) => {
      if (await linkExists(name)) throw new InternalError(`Cannot delete interface "${name}": ${String(e)}`, { cause: e });
    });
    return;
  }
  const r = await exec('ip', ['link', 'delete', name], { allowFailure: true });
  if (r.code !== 0 && (await linkExists(name))) throw new InternalError(`Cannot delete interface "${name}": ${r.stderr.trim()}`);
}

/** Delete interface `name` inside the named namespace `netns` (under /run/netns); gone already is fine. */
export async function deleteLinkIn(netns: string, name: string): Promise<void> {
  if (!IFNAME_RE.test(name) || !/^[A-Za-z0-9_.-]+$/.test(netns)) throw new InvalidArgumentError(`Invalid interface "${name}" or namespace "${netns}"`);
  if (netlinkAddon) {
    // a namespace gone already took the interface with it
    await netlinkAddon.deleteLink(netnsPath(netns), name).catch((e: unknown) => {
      if ((e as { code?: string }).code !== 'ENOENT') throw new InternalError(`Cannot delete interface "${name}" in namespace "${netns}": ${String(e)}`, { cause: e });
    });
    return;
  }
  const r = await exec('ip', ['-n', netns, 'link', 'delete', name], { allowFailure: true });
  if (r.code !== 0 && !/Cannot find device|does not exist/.test(r.stderr)) throw new InternalError(`Cannot delete interface "${name}" in namespace "${netns}": ${r.stderr.trim()}`);
}

/** A container namespace's link to a bridge, as netavark makes it for an endpoint without ports. */
export interface VethWiring {
  /** Host end, a bridge port. */
  hostName: string;
  bridge: string;
  /** Named namespace (under /run/netns) that receives the other end. */
  netns: string;
  /** The container's end, inside `netns` ("eth0"). */
  peerName: string;
  mac: string;
  /** Address with prefix ("172.18.0.5/16"). */
  cidr: string;
  /** The default route's gateway; absent for a namespace's later interfaces (eth1...), which add none. */
  gateway?: string;
  mtu?: number;
}

const IFNAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

/**
 * Wire a veth pair between `bridge` and a namespace: netlink calls from the addon, or without it
 * two `ip -batch` processes, one per side. The pair is made with its container end already in the
 * namespace, so a crash half-way leaves nothing the namespace's deletion does not take with it.
 */
export async function wireVeth(w: VethWiring): Promise<void> {
  for (const n of [w.hostName, w.bridge, w.peerName]) {
    if (!IFNAME_RE.test(n)) throw new InvalidArgumentError(`Invalid interface name "${n}"`);
  }
  // Each value becomes a word of an ip batch line: nothing may break out of it.
  const words = [w.netns, w.mac, w.cidr, ...(w.gateway ? [w.gateway] : [])];
  if (words.some((v) => !/^[A-Za-z0-9_.:/-]+$/.test(v))) throw new InvalidArgumentError(`Invalid veth wiring: ${words.join(' ')}`);
  if (netlinkAddon) {
    const [ip, prefix] = w.cidr.split('/');
    const prefixLen = Number(prefix);
    if (!ip || !Number.isInteger(prefixLen) || !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(w.mac)) throw new InvalidArgumentError(`Invalid veth wiring: ${words.join(' ')}`);
    try {
      await netlinkAddon.wireVeth(w.hostName, w.peerName, w.mac, netnsPath(w.netns), w.bridge, w.mtu ?? 0, ip, prefixLen, w.gateway ?? null);
    } catch (e) {
      throw new InternalError(`Cannot wire veth "${w.hostName}" to namespace "${w.netns}": ${String(e)}`, { cause: e });
    }
    return;
  }
  const mtu = w.mtu ? ` mtu ${w.mtu}` : '';
  await exec('ip', ['-batch', '-'], {
    stdin: `link add ${w.hostName}${mtu} type veth peer name ${w.peerName}${mtu} address ${w.mac} netns ${w.netns}\n`
      + `link set dev ${w.hostName} master ${w.bridge} up\n`,
  });
  await exec('ip', ['-n', w.netns, '-batch', '-'], {
    stdin: `link set dev lo up\naddr add ${w.cidr} dev ${w.peerName}\nlink set dev ${w.peerName} up\n`
      + (w.gateway ? `route add default via ${w.gateway} dev ${w.peerName}\n` : ''),
  });
}
