import { InvalidArgumentError } from '../base/index.js';

/** Where berth listens unless DOCKER_HOST or -H says otherwise. */
export const DEFAULT_DAEMON_HOST = 'unix:///run/berth/berth.sock';

export type DaemonEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string; readonly url: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly tls: boolean; readonly url: string };

/**
 * Parse a daemon address as docker's -H and DOCKER_HOST accept it: `unix:///path`,
 * `tcp://host[:port]` (2375, or 2376 with TLS), a bare `host:port`, or an absolute socket path.
 */
export function parseDaemonHost(addr: string, opts: { tls?: boolean } = {}): DaemonEndpoint {
  const tls = opts.tls ?? false;
  const s = addr.trim();
  if (s === '') return parseDaemonHost(DEFAULT_DAEMON_HOST, opts);
  if (s.startsWith('unix://')) {
    const socketPath = s.slice('unix://'.length);
    if (!socketPath) throw new InvalidArgumentError(`Invalid bind address format: ${addr}`);
    return { kind: 'unix', socketPath, url: s };
  }
  if (s.startsWith('/')) return { kind: 'unix', socketPath: s, url: `unix://${s}` };
  let rest = s;
  let scheme = 'tcp';
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(s);
  if (m) {
    scheme = m[1]!.toLowerCase();
    rest = s.slice(m[0].length);
  }
  if (scheme === 'http' || scheme === 'https') scheme = 'tcp';
  if (scheme !== 'tcp') throw new InvalidArgumentError(`Invalid bind address format: ${addr}`);
  rest = rest.replace(/\/+$/, '');
  let host = rest;
  let port = tls ? 2376 : 2375;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (v6) {
    host = v6[1]!;
    if (v6[2]) port = Number(v6[2]);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      host = rest.slice(0, colon);
      const p = rest.slice(colon + 1);
      if (!/^\d+$/.test(p)) throw new InvalidArgumentError(`Invalid bind address format: ${addr}`);
      port = Number(p);
    }
  }
  if (!host) host = '127.0.0.1';
  if (port < 1 || port > 65535) throw new InvalidArgumentError(`Invalid bind address format: ${addr}`);
  return { kind: 'tcp', host, port, tls, url: `tcp://${host.includes(':') ? `[${host}]` : host}:${port}` };
}
