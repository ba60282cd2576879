import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';

export function flags(fs: FlagSet) {
  return {
    attachable: fs.bool('attachable', '', false, 'Enable manual container attachment'),
    auxAddress: fs.map('aux-address', '', 'Auxiliary IPv4 or IPv6 addresses used by Network driver'),
    driver: fs.string('driver', 'd', 'bridge', 'Driver to manage the Network'),
    gateway: fs.list('gateway', '', 'IPv4 or IPv6 Gateway for the master subnet'),
    internal: fs.bool('internal', '', false, 'Restrict external access to the network'),
    ipRange: fs.list('ip-range', '', 'Allocate container ip from a sub-range'),
    ipamDriver: fs.string('ipam-driver', '', 'default', 'IP Address Management Driver'),
    ipamOpt: fs.map('ipam-opt', '', 'Set IPAM driver specific options'),
    ipv6: fs.bool('ipv6', '', false, 'Enable or disable IPv6 networking'),
    label: fs.list('label', '', 'Set metadata on a network'),
    opt: fs.map('opt', 'o', 'Set driver specific options'),
    subnet: fs.list('subnet', '', 'Subnet in CIDR format that represents a network segment'),
  };
}

function toObject(m: Map<string, string>): Record<string, string> {
  return Object.fromEntries(m);
}

/** docker/cli's consolidateIpam: the n-th --gateway and --ip-range go with the subnet that holds them. */
export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const subnets = o.subnet.get;
  if (o.gateway.get.length > subnets.length || o.ipRange.get.length > subnets.length) throw new Error('every ip-range or gateway must have a corresponding subnet');
  const config = subnets.map((subnet, i) => ({
    Subnet: subnet,
    ...(o.ipRange.get[i] ? { IPRange: o.ipRange.get[i] } : {}),
    ...(o.gateway.get[i] ? { Gateway: o.gateway.get[i] } : {}),
    ...(i === 0 && o.auxAddress.get.size ? { AuxiliaryAddresses: toObject(o.auxAddress.get) } : {}),
  }));
  const labels = Object.fromEntries(o.label.get.map((l) => { const eq = l.indexOf('='); return eq < 0 ? [l, ''] : [l.slice(0, eq), l.slice(eq + 1)]; }));
  const client = await cli.client();
  const res = await client.json<{ Id: string }>('/networks/create', {
    method: 'POST',
    body: {
      Name: args[0], Driver: o.driver.get, Internal: o.internal.get, Attachable: o.attachable.get, EnableIPv6: o.ipv6.get,
      IPAM: { Driver: o.ipamDriver.get, Config: config, Options: toObject(o.ipamOpt.get) },
      Options: toObject(o.opt.get), Labels: labels,
    },
  });
  await cli.print(`${res.Id}\n`);
}
