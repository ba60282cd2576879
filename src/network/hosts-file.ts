import { isIPv4, isIPv6 } from 'node:net';
import { InvalidArgumentError } from '../base/index.js';

/** `--add-host name:host-gateway` stands for the daemon's gateway address. */
export const HOST_GATEWAY = 'host-gateway';

export interface HostRecord {
  names: string;
  ip: string;
}

// libnetwork etchosts: IPv4 then IPv6 defaults, addresses printed in canonical form.
const DEFAULT_V4: HostRecord[] = [{ ip: '127.0.0.1', names: 'localhost' }];
const DEFAULT_V6: HostRecord[] = [
  { ip: '::1', names: 'localhost ip6-localhost ip6-loopback' },
  { ip: 'fe00::', names: 'ip6-localnet' },
  { ip: 'ff00::', names: 'ip6-mcastprefix' },
  { ip: 'ff02::1', names: 'ip6-allnodes' },
  { ip: 'ff02::2', names: 'ip6-allrouters' },
];

/** The canonical text of an IP address, or undefined when it is not one. */
export function canonicalIp(s: string): string | undefined {
  if (isIPv4(s)) return s.split('.').map(Number).join('.');
  if (!isIPv6(s)) return undefined;
  // The URL parser compresses IPv6 the way Go's netip prints it.
  return new URL(`http://[${s}]/`).hostname.slice(1, -1);
}

/**
 * Parse one HostConfig.ExtraHosts entry, "name:ip" (split at the first colon,
 * so IPv6 addresses need no brackets; brackets are accepted too).
 */
export function parseExtraHost(entry: string, hostGateway?: string): HostRecord {
  const colon = entry.indexOf(':');
  const name = colon < 0 ? entry : entry.slice(0, colon);
  let ip = colon < 0 ? '' : entry.slice(colon + 1);
  if (!name) throw new InvalidArgumentError(`bad format for add-host: "${entry}"`);
  if (ip === HOST_GATEWAY) {
    if (!hostGateway) throw new InvalidArgumentError(`unable to derive the IP value for host-gateway`);
    ip = hostGateway;
  }
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  const canonical = canonicalIp(ip);
  if (!canonical) throw new InvalidArgumentError(`invalid IP address in add-host: "${ip}"`);
  return { names: name, ip: canonical };
}

/**
 * A container's /etc/hosts as Docker writes it: the loopback defaults, the
 * extra hosts, then the container's own address under its hostname (FQDN first
 * when there is a domain, then the bare name).
 */
export function buildHostsFile(opts: {
  hostname: string;
  domainname?: string;
  ip?: string;
  extraHosts?: readonly string[];
  hostGateway?: string;
  /** false when the namespace has IPv6 disabled: the IPv6 lines and records go. */
  ipv6?: boolean;
}): string {
  const ipv6 = opts.ipv6 !== false;
  const records: HostRecord[] = [...DEFAULT_V4, ...(ipv6 ? DEFAULT_V6 : [])];
  for (const e of opts.extraHosts ?? []) {
    const r = parseExtraHost(e, opts.hostGateway);
    if (ipv6 || isIPv4(r.ip)) records.push(r);
  }
  if (opts.ip) {
    let names = opts.hostname + (opts.domainname ? `.${opts.domainname}` : '');
    const dot = names.indexOf('.');
    if (dot > 0) names += ` ${names.slice(0, dot)}`;
    const ip = canonicalIp(opts.ip);
    if (!ip) throw new InvalidArgumentError(`Cannot write hosts entry for "${opts.ip}": expected an IP address`);
    records.push({ ip, names });
  }
  return records.map((r) => `${r.ip}\t${r.names}\n`).join('');
}
