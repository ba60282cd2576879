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

/** A link of one container on one network whose target is wired there: the alias and the target's container id. */
export interface DnsLinkTarget {
  alias: string;
  targetId: string;
}

/**
 * The aardvark-dns file that scopes a linker's aliases on a network to the linker alone.
 *
 * aardvark-dns 1.4 answers a client with the names of every "network" (config file) its source
 * address belongs to, and an address belongs to a file when a line there carries it
 * (containers/aardvark-dns v1.4.0 src/config/mod.rs, src/backend/mod.rs `lookup`). So each linker
 * gets a file of its own: its line (its addresses, names and servers copied from the network's
 * file, under an id of this file) and one line per alias with the target's addresses. The
 * linker's address belongs to the network and this file, and resolves the aliases; another
 * container's does not. The target's address belongs to the file too (its line carries it), so
 * the target also resolves the alias, to itself. The file's listen address is the linker's own,
 * which is never the host's: aardvark's listener for the file fails to bind and the network's
 * listener answers (a listener that answered would also serve the file's names to everyone who
 * asks it, coredns.rs's fallback to its own network).
 */
export function linkFileName(network: string, linkerId: string): string {
  return `${network}.lk-${linkerId.slice(0, 12)}`;
}

/** Whether an aardvark file is one of the network's link files. */
export function isLinkFileOf(network: string, file: string): boolean {
  return file.startsWith(`${network}.lk-`);
}

/** The link file's text from the network file's, or undefined when no alias has a target to answer with. */
export function linkFileText(networkText: string, opts: { network: string; linkerId: string; links: readonly DnsLinkTarget[] }): string | undefined {
  const lines = new Map(networkText.split('\n').slice(1).filter((l) => l !== '').map((l) => [l.split(' ')[0]!.toLowerCase(), l.split(' ')] as const));
  const linker = lines.get(opts.linkerId.toLowerCase());
  const listen = linker?.[1]?.split(',')[0] || linker?.[2]?.split(',')[0];
  if (!linker || !listen) return undefined;
  const id = linkFileName(opts.network, opts.linkerId);
  const aliases = opts.links.flatMap((l, i) => {
    const target = lines.get(l.targetId.toLowerCase());
    return target ? [[`${id}.${i}`, target[1] ?? '', target[2] ?? '', l.alias, ...target.slice(4, 5)].join(' ')] : [];
  });
  if (!aliases.length) return undefined;
  return [listen, [id, ...linker.slice(1)].join(' '), ...aliases].join('\n') + '\n';
}
