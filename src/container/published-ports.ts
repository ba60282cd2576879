import { InvalidArgumentError } from '../base/index.js';
import type { PortRequest } from '../network/index.js';
import type { HostConfig } from './config.js';

type Protocol = PortRequest['protocol'];
const PROTOCOLS: readonly string[] = ['tcp', 'udp', 'sctp'];

/** "80/udp" → ["80", "udp"]; no protocol means tcp (go-connections' SplitProtoPort). */
function splitProtoPort(key: string): [string, string] {
  const slash = key.indexOf('/');
  if (slash < 0) return [key, 'tcp'];
  return [key.slice(0, slash), key.slice(slash + 1) || 'tcp'];
}

function parsePort(s: string): number | undefined {
  if (!/^\d{1,5}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 65535 ? n : undefined;
}

/** "" → [0, 0] (any port), "8080" → [8080, 8080], "8000-8010" → [8000, 8010]; undefined when malformed. */
function parseHostPorts(s: string): [number, number] | undefined {
  if (s === '') return [0, 0];
  const dash = s.indexOf('-');
  if (dash < 0) {
    const p = parsePort(s);
    return p === undefined ? undefined : [p, p];
  }
  const a = parsePort(s.slice(0, dash));
  const b = parsePort(s.slice(dash + 1));
  return a === undefined || b === undefined || b < a ? undefined : [a, b];
}

function validHostIp(ip: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return ip.split('.').every((x) => Number(x) <= 255);
  return /^[0-9a-fA-F:.]+$/.test(ip) && ip.includes(':');
}

/** Refuse what dockerd's validatePortBindings refuses, in its words: at create, a 400. */
export function validatePortBindings(h: HostConfig): void {
  const bindings = h.PortBindings ?? {};
  if (typeof bindings !== 'object' || Array.isArray(bindings)) throw new InvalidArgumentError('invalid port bindings: expected an object');
  for (const [key, list] of Object.entries(bindings)) {
    const [port, proto] = splitProtoPort(key);
    if (parsePort(port) === undefined || parsePort(port) === 0) throw new InvalidArgumentError(`invalid port specification: "${port}"`);
    if (!PROTOCOLS.includes(proto.toLowerCase())) throw new InvalidArgumentError(`invalid port specification: "${key}": unknown protocol "${proto}"`);
    if (list !== null && !Array.isArray(list)) throw new InvalidArgumentError(`invalid port bindings for "${key}": expected a list`);
    for (const b of list ?? []) {
      const hostPort = String(b?.HostPort ?? '');
      const range = parseHostPorts(splitProtoPort(hostPort)[0]);
      if (!range || (range[0] === 0 && hostPort !== '' && hostPort !== '0')) throw new InvalidArgumentError(`invalid port specification: "${hostPort}"`);
      const ip = String(b?.HostIp ?? '').replace(/^\[(.*)\]$/, '$1');
      if (ip !== '' && !validHostIp(ip)) throw new InvalidArgumentError(`invalid IP address: ${ip}`);
    }
  }
}

/**
 * What the network service is asked to publish: every binding of HostConfig.PortBindings, and
 * with PublishAllPorts (-P) every exposed port without one, on a port of the ephemeral range.
 * Sorted by port and protocol, as dockerd goes through them.
 */
export function portRequests(h: HostConfig, exposed: Record<string, object> | undefined): PortRequest[] {
  const keys = new Map<string, { port: number; proto: Protocol }>();
  const add = (key: string): void => {
    const [port, proto] = splitProtoPort(key);
    const n = parsePort(port);
    if (n) keys.set(`${n}/${proto.toLowerCase()}`, { port: n, proto: proto.toLowerCase() as Protocol });
  };
  for (const key of Object.keys(h.PortBindings ?? {})) add(key);
  if (h.PublishAllPorts) for (const key of Object.keys(exposed ?? {})) add(key);
  const bound = new Map<string, Array<{ HostIp: string; HostPort: string }>>();
  for (const [key, list] of Object.entries(h.PortBindings ?? {})) {
    const [port, proto] = splitProtoPort(key);
    const k = `${parsePort(port)}/${proto.toLowerCase()}`;
    bound.set(k, [...(bound.get(k) ?? []), ...(list ?? [])]);
  }
  const out: PortRequest[] = [];
  const sorted = [...keys.entries()].sort(([, a], [, b]) => a.port - b.port || (a.proto < b.proto ? -1 : a.proto > b.proto ? 1 : 0));
  for (const [k, { port, proto }] of sorted) {
    const list = bound.get(k);
    const bindings = list?.length ? list : h.PublishAllPorts ? [{ HostIp: '', HostPort: '' }] : [];
    for (const b of bindings) {
      const [start, end] = parseHostPorts(splitProtoPort(b.HostPort ?? '')[0]) ?? [0, 0];
      out.push({ containerPort: port, protocol: proto, hostIp: (b.HostIp ?? '').replace(/^\[(.*)\]$/, '$1'), hostPortStart: start, hostPortEnd: end });
    }
  }
  return out;
}

/** dockerd's warning when a mode has no ports to publish. */
export function discardedPortsWarning(h: HostConfig): string | undefined {
  const any = Object.keys(h.PortBindings ?? {}).length > 0 || Boolean(h.PublishAllPorts);
  return any && h.NetworkMode === 'host' ? 'Published ports are discarded when using host network mode' : undefined;
}
