import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';

export function flags(fs: FlagSet) {
  return {
    alias: fs.list('alias', '', 'Add network-scoped alias for the container'),
    driverOpt: fs.list('driver-opt', '', 'driver options for the network'),
    ip: fs.string('ip', '', '', 'IPv4 address (e.g., "172.30.100.104")'),
    ip6: fs.string('ip6', '', '', 'IPv6 address (e.g., "2001:db8::33")'),
    link: fs.list('link', '', 'Add link to another container'),
    linkLocalIp: fs.list('link-local-ip', '', 'Add a link-local address for the container'),
  };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  const driverOpts = Object.fromEntries(o.driverOpt.get.map((kv) => { const eq = kv.indexOf('='); return eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)]; }));
  const ipam = o.ip.get || o.ip6.get || o.linkLocalIp.get.length
    ? { IPAMConfig: { ...(o.ip.get ? { IPv4Address: o.ip.get } : {}), ...(o.ip6.get ? { IPv6Address: o.ip6.get } : {}), ...(o.linkLocalIp.get.length ? { LinkLocalIPs: o.linkLocalIp.get } : {}) } }
    : {};
  (await client.request(`/networks/${encodeURIComponent(args[0]!)}/connect`, {
    method: 'POST',
    body: { Container: args[1], EndpointConfig: { ...ipam, Aliases: o.alias.get, Links: o.link.get, ...(Object.keys(driverOpts).length ? { DriverOpts: driverOpts } : {}) } },
  })).resume();
}
