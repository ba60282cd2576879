import { BlockList, isIP } from 'node:net';
import { InvalidArgumentError } from '../../base/index.js';
import { DOCKER_HUB_API_HOST, DOCKER_HUB_DOMAIN, type RegistryOptions } from './options.js';

/** One place to send a repository's requests: `https://registry-1.docker.io`, `http://localhost:5000`. */
export interface Endpoint {
  /** `host[:port]` as in certs.d and error texts. */
  host: string;
  /** Schemes to try, in order (https first; http only where allowed). */
  schemes: Array<'https' | 'http'>;
  /** A mirror (pull only; its failures fall through to the next endpoint). */
  mirror: boolean;
}

function hostOnly(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  const i = hostPort.lastIndexOf(':');
  return i > -1 && !hostPort.slice(0, i).includes(':') ? hostPort.slice(0, i) : hostPort;
}

/** Loopback names and addresses: Docker lets them speak plain HTTP without configuration. */
export function isLoopback(hostPort: string): boolean {
  const h = hostOnly(hostPort).toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

/** `insecure-registries` match: an exact host[:port], or an IP inside a listed CIDR. */
export function isInsecure(hostPort: string, insecure: readonly string[]): boolean {
  if (isLoopback(hostPort)) return true;
  const h = hostOnly(hostPort);
  for (const entry of insecure) {
    const e = entry.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    if (e === hostPort || e === h) return true;
    const cidr = /^(.+)\/(\d+)$/.exec(e);
    const family = cidr ? isIP(cidr[1]!) : 0;
    if (cidr && family && isIP(h) === family) {
      const list = new BlockList();
      list.addSubnet(cidr[1]!, Number(cidr[2]), family === 4 ? 'ipv4' : 'ipv6');
      if (list.check(h, family === 4 ? 'ipv4' : 'ipv6')) return true;
    }
  }
  return false;
}

function schemesFor(host: string, opts: Pick<RegistryOptions, 'insecure'>): Array<'https' | 'http'> {
  return isInsecure(host, opts.insecure) ? ['https', 'http'] : ['https'];
}

/** Parse a `registry-mirrors` entry (`https://mirror.example:5000`), as dockerd validates it. */
export function mirrorEndpoint(url: string, opts: Pick<RegistryOptions, 'insecure'>): Endpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidArgumentError(`invalid mirror: "${url}" is not a valid URI`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidArgumentError(`invalid mirror: unsupported scheme "${u.protocol.slice(0, -1)}" in "${url}"`);
  if (u.pathname !== '/' && u.pathname !== '') throw new InvalidArgumentError(`invalid mirror: path, query, or fragment at end of the URI "${url}"`);
  const schemes: Array<'https' | 'http'> = u.protocol === 'http:' ? ['http'] : schemesFor(u.host, opts);
  return { host: u.host, schemes, mirror: true };
}

/** The endpoints for a registry domain: docker.io's mirrors first, then the registry itself. */
export function endpointsFor(domain: string, opts: Pick<RegistryOptions, 'insecure' | 'mirrors'>, use: 'pull' | 'push'): Endpoint[] {
  const out: Endpoint[] = [];
  if (domain === DOCKER_HUB_DOMAIN) {
    if (use === 'pull') for (const m of opts.mirrors) out.push(mirrorEndpoint(m, opts));
    out.push({ host: DOCKER_HUB_API_HOST, schemes: ['https'], mirror: false });
    return out;
  }
  out.push({ host: domain, schemes: schemesFor(domain, opts), mirror: false });
  return out;
}
