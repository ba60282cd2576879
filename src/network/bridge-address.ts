import { InvalidArgumentError } from '../base/index.js';
import { formatIpv4, parseCidr, parseIpv4, prefixContains, prefixMask } from './cidr.js';

/**
 * dockerd's --bip: the bridge's own address with its prefix ("172.18.0.1/16"), which names the
 * subnet and the gateway. A network address ("172.18.0.0/16", what berth took before) is the
 * subnet alone, the gateway its first address.
 */
export function parseBip(bip: string): { subnet: string; gateway?: string } {
  const slash = bip.indexOf('/');
  const ip = slash < 0 ? undefined : parseIpv4(bip.slice(0, slash));
  const lenText = slash < 0 ? '' : bip.slice(slash + 1);
  const prefixLen = /^\d{1,2}$/.test(lenText) ? Number(lenText) : NaN;
  if (ip === undefined || !(prefixLen >= 1 && prefixLen <= 30)) {
    throw new InvalidArgumentError(`invalid bip "${bip}": expected the bridge's IPv4 address with its prefix, such as 172.18.0.1/16`);
  }
  const network = (ip & prefixMask(prefixLen)) >>> 0;
  const subnet = `${formatIpv4(network)}/${prefixLen}`;
  return network === ip ? { subnet } : { subnet, gateway: formatIpv4(ip) };
}

/**
 * The default bridge's subnet, gateway and address range from dockerd's --bip and --fixed-cidr:
 * the range must lie inside --bip's subnet; without --bip, a range outside the default subnet
 * becomes the bridge's subnet, as dockerd takes --fixed-cidr for the pool then.
 */
export function defaultBridgeAddressing(o: { bip?: string; fixedCidr?: string; defaultSubnet: string }): { subnet: string; gateway?: string; fixedCidr?: string } {
  const fromBip = o.bip ? parseBip(o.bip) : undefined;
  if (!o.fixedCidr) return fromBip ?? { subnet: o.defaultSubnet };
  const range = parseCidr(o.fixedCidr);
  const fixedCidr = `${formatIpv4(range.network)}/${range.prefixLen}`;
  const subnet = parseCidr(fromBip?.subnet ?? o.defaultSubnet);
  const inside = range.prefixLen >= subnet.prefixLen && prefixContains(subnet, range.network);
  if (inside) return { ...(fromBip ?? { subnet: o.defaultSubnet }), fixedCidr };
  if (fromBip) throw new InvalidArgumentError(`invalid fixed-cidr "${o.fixedCidr}": it is not inside the bridge's subnet ${fromBip.subnet} (--bip)`);
  if (range.prefixLen > 30) throw new InvalidArgumentError(`invalid fixed-cidr "${o.fixedCidr}": expected a prefix of /30 or shorter`);
  return { subnet: fixedCidr, fixedCidr };
}
