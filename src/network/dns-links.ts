import { InvalidArgumentError } from '../base/index.js';

/** One `--link name:alias` of an endpoint on a user-defined network. */
export interface DnsLink {
  /** The linked container's name (or id). */
  target: string;
  /** The name the linking container may use for it. */
  alias: string;
}

const DNS_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** "db" or "db:alias" (leading slashes allowed), as EndpointSettings.Links holds them. */
export function parseDnsLink(spec: string): DnsLink {
  const colon = spec.indexOf(':');
  const target = (colon < 0 ? spec : spec.slice(0, colon)).replace(/^\//, '');
  const alias = (colon < 0 ? target : spec.slice(colon + 1)).replace(/^\//, '');
  if (!target || !alias || alias.includes(':')) throw new InvalidArgumentError(`invalid link format: "${spec}": expected name or name:alias`);
  if (!DNS_NAME_RE.test(alias) || !DNS_NAME_RE.test(target)) throw new InvalidArgumentError(`invalid link "${spec}": names may hold letters, digits, "_", "." and "-"`);
  return { target, alias };
}

/** The aardvark line id of a link alias: berth's own, never a container's (those are 64 hex). */
export function dnsLinkId(containerId: string, index: number): string {
  return `berth-link-${containerId.slice(0, 12)}-${index}`;
}
