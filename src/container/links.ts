import { writeFile } from 'node:fs/promises';
import { ConflictError, InvalidArgumentError } from '../base/index.js';
import { hasProcess, type ContainerRecord, type HostConfig } from './config.js';
import type { LinkOpening } from '../network/index.js';
import type { ContainerStore } from './store.js';

/** One legacy link as dockerd stores it in HostConfig.Links: "/db:/web/db". */
export interface Link {
  /** The linked (source, "child") container's name, without the slash. */
  source: string;
  /** The alias the receiver knows it by. */
  alias: string;
}

/** "db" or "db:alias" (a leading slash allowed), as `--link` gives it. */
function parseLinkSpec(spec: string): Link {
  const colon = spec.indexOf(':');
  const source = (colon < 0 ? spec : spec.slice(0, colon)).replace(/^\//, '');
  const alias = (colon < 0 ? source : spec.slice(colon + 1)).replace(/^\//, '');
  if (!source || !alias || alias.includes(':')) throw new InvalidArgumentError(`invalid link format: "${spec}": expected name or name:alias`);
  return { source, alias };
}

/** HostConfig.Links as stored ("/db:/web/db") back to links. */
export function storedLinks(h: Pick<HostConfig, 'Links'>): Link[] {
  return (h.Links ?? []).map((l) => {
    const [source = '', full = ''] = l.split(':');
    return { source: source.replace(/^\//, ''), alias: full.slice(full.lastIndexOf('/') + 1) };
  });
}

/**
 * Check a create's --link against the containers there are and store them as dockerd does,
 * "/source:/receiver/alias" (legacy links exist on the default bridge only).
 */
export function normalizeLinks(h: HostConfig, opts: { receiver: string; store: ContainerStore }): void {
  if (!h.Links?.length) return;
  if (h.NetworkMode === 'host') throw new InvalidArgumentError('conflicting options: host type networking can\'t be used with links. This would result in undefined behavior');
  if (h.NetworkMode !== 'bridge' && h.NetworkMode !== 'default') return;
  h.Links = h.Links.map((spec) => {
    const link = parseLinkSpec(spec);
    const src = opts.store.find(link.source);
    // dockerd answers 400, not 404: a 404 to a create makes the docker CLI pull the image
    if (!src) throw new InvalidArgumentError(`could not get container for ${link.source}: No such container: ${link.source}`);
    if (src.hostConfig.NetworkMode === 'host') throw new InvalidArgumentError('conflicting options: host type networking can\'t be used with links. This would result in undefined behavior');
    return `/${src.name}:/${opts.receiver}/${link.alias}`;
  });
}

/** A link's source at the receiver's start: it must run, on the bridge, with an address. */
export interface LinkedSource {
  link: Link;
  rec: ContainerRecord;
  ip: string;
}

export function resolveLinks(receiver: ContainerRecord, store: ContainerStore): LinkedSource[] {
  return storedLinks(receiver.hostConfig).map((link) => {
    const rec = store.find(link.source);
    if (!rec) throw new InvalidArgumentError(`could not get container for ${link.source}: No such container: ${link.source}`);
    const ip = rec.network?.ipAddress;
    if (!hasProcess(rec.state) || !ip) throw new ConflictError(`Cannot link to a non running container: /${rec.name} AS /${receiver.name}/${link.alias}`);
    return { link, rec, ip };
  });
}

/** Exposed ports sorted as dockerd's nat.Sort: by number, tcp first. */
function sortedPorts(exposed: Record<string, object> | undefined): Array<{ port: number; proto: string }> {
  return Object.keys(exposed ?? {}).map((k) => {
    const [port = '', proto = 'tcp'] = k.split('/');
    return { port: Number(port), proto };
  }).filter((p) => Number.isInteger(p.port) && p.port > 0)
    .sort((a, b) => a.port - b.port || (a.proto === 'tcp' ? -1 : b.proto === 'tcp' ? 1 : a.proto < b.proto ? -1 : 1));
}

/** The environment a link gives the receiver (moby's links package): ALIAS_PORT..., ALIAS_NAME, ALIAS_ENV_*. */
export function linkEnv(receiverName: string, s: LinkedSource): string[] {
  const alias = s.link.alias.toUpperCase().replace(/-/g, '_');
  const ports = sortedPorts(s.rec.config.ExposedPorts);
  const env: string[] = [];
  if (ports[0]) env.push(`${alias}_PORT=${ports[0].proto}://${s.ip}:${ports[0].port}`);
  for (const { port, proto } of ports) {
    const key = `${alias}_PORT_${port}_${proto.toUpperCase()}`;
    env.push(`${key}=${proto}://${s.ip}:${port}`, `${key}_ADDR=${s.ip}`, `${key}_PORT=${port}`, `${key}_PROTO=${proto}`);
  }
  env.push(`${alias}_NAME=/${receiverName}/${s.link.alias}`);
  for (const kv of s.rec.config.Env ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) continue;
    const name = kv.slice(0, eq);
    if (name === 'HOME' || name === 'PATH') continue;
    env.push(`${alias}_ENV_${name}=${kv.slice(eq + 1)}`);
  }
  return env;
}

/** What --icc=false must let through for the receiver's links: each exposed port of each source. */
export function linkOpenings(receiverIp: string, sources: readonly LinkedSource[]): LinkOpening[] {
  return sources.flatMap((s) => sortedPorts(s.rec.config.ExposedPorts).map(({ port, proto }) => ({ receiverIp, sourceIp: s.ip, port, protocol: proto })));
}

/** The receiver's /etc/hosts entries for its links, in --add-host's "names:ip" form: alias, source hostname, source name. */
export function linkHosts(s: LinkedSource): string {
  const names = [s.link.alias, s.rec.config.Hostname].filter(Boolean);
  if (s.link.alias !== s.rec.name) names.push(s.rec.name);
  return `${[...new Set(names)].join(' ')}:${s.ip}`;
}

/**
 * Rewrite the /etc/hosts of every running container that links to `source`, which has just
 * started with (maybe) a new address: dockerd keeps the receivers' entries right.
 */
export async function refreshReceivers(source: ContainerRecord, opts: {
  store: ContainerStore;
  render: (receiver: ContainerRecord, links: LinkedSource[]) => string;
  hostsPath: (receiver: ContainerRecord) => string;
  /** Re-open the receiver's links (--icc=false) for the source's new address. */
  allow: (receiver: ContainerRecord, links: LinkedSource[]) => Promise<void>;
}): Promise<void> {
  const receivers = opts.store.all().filter((r) => r.id !== source.id && hasProcess(r.state) && storedLinks(r.hostConfig).some((l) => l.source === source.name));
  for (const r of receivers) {
    let links: LinkedSource[];
    try {
      links = resolveLinks(r, opts.store);
    } catch {
      continue; // another of its sources does not run: its file keeps the last addresses
    }
    // the same inode, rewritten: the file is bind-mounted into the receiver
    await writeFile(opts.hostsPath(r), opts.render(r, links));
    await opts.allow(r, links);
  }
}

/** The extra names dockerd lists for a link's source in `GET /containers/json`: "/receiver/alias", by source name. */
export function linkNamesBySource(recs: readonly ContainerRecord[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of recs) {
    for (const l of r.hostConfig.Links ?? []) {
      const [source = '', full = ''] = l.split(':');
      if (source && full) out.set(source.replace(/^\//, ''), [...(out.get(source.replace(/^\//, '')) ?? []), full]);
    }
  }
  return out;
}
