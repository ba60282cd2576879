import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { ConflictError, errnoCode, InvalidArgumentError, silentLogger, type Logger } from '../base/index.js';
import { bindAddress } from './port-allocator.js';
import type { PortMapping } from './types.js';

/** A UDP client's flow: answers come back through its own upstream socket; idle ones close. */
const UDP_IDLE_MS = 90_000;

interface Listener {
  close(): void;
}

/**
 * dockerd's userland proxy (docker-proxy), in the daemon: a published port that DNAT cannot carry
 * (an IPv6 host address into an IPv4-only network, or any port under --iptables=false) is a socket
 * berthd listens on, each connection (TCP) or client (UDP) forwarded to the container's address.
 * One set of listeners per endpoint; a daemon restart opens them again for running containers.
 */
export class UserlandProxy {
  private readonly byEndpoint = new Map<string, Listener[]>();

  constructor(private readonly log: Logger = silentLogger) {}

  /** Listen on every mapping for `key` (replacing what it had), forwarding to `targetIp`. */
  async start(key: string, mappings: readonly PortMapping[], targetIp: string): Promise<void> {
    this.stop(key);
    const opened: Listener[] = [];
    try {
      for (const m of mappings) {
        for (let i = 0; i < m.range; i++) {
          const port = { hostIp: m.hostIp, hostPort: m.hostPort + i, containerPort: m.containerPort + i };
          opened.push(m.protocol === 'tcp' ? await this.tcp(port, targetIp) : m.protocol === 'udp' ? await this.udp(port, targetIp) : refuseSctp(m));
        }
      }
    } catch (e) {
      for (const l of opened) l.close();
      throw e;
    }
    this.byEndpoint.set(key, opened);
  }

  stop(key: string): void {
    for (const l of this.byEndpoint.get(key) ?? []) l.close();
    this.byEndpoint.delete(key);
  }

  stopAll(): void {
    for (const key of [...this.byEndpoint.keys()]) this.stop(key);
  }

  private tcp(p: { hostIp: string; hostPort: number; containerPort: number }, targetIp: string): Promise<Listener> {
    // half-open both ways: a client's FIN reaches the container, whose answer still comes back
    const open = new Set<Socket>();
    const server: Server = createServer({ allowHalfOpen: true }, (client) => {
      const upstream = connect({ host: targetIp, port: p.containerPort, allowHalfOpen: true });
      for (const sock of [client, upstream]) {
        open.add(sock);
        sock.once('close', () => open.delete(sock));
      }
      client.pipe(upstream);
      upstream.pipe(client);
      const end = (): void => { client.destroy(); upstream.destroy(); };
      client.on('error', end);
      upstream.on('error', end);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => { if (!client.writableEnded) client.end(); });
    });
    return new Promise((resolve, reject) => {
      server.once('error', (e) => reject(bindError(e, 'tcp', p)));
      // "::" here stands for IPv6 only: 0.0.0.0 of the same port is DNAT's (or its own listener's)
      server.listen({ host: p.hostIp, port: p.hostPort, exclusive: true, ...(p.hostIp.includes(':') ? { ipv6Only: true } : {}) }, () => {
        server.removeAllListeners('error');
        server.on('error', (e) => this.log.warn('userland proxy error', { port: p.hostPort, error: String(e) }));
        // as dockerd stops docker-proxy: the connections go with the listener
        resolve({ close: () => { server.close(); for (const sock of open) sock.destroy(); } });
      });
    });
  }

  private udp(p: { hostIp: string; hostPort: number; containerPort: number }, targetIp: string): Promise<Listener> {
    const v6 = p.hostIp.includes(':');
    const sock = createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: v6 });
    const flows = new Map<string, { up: UdpSocket; timer: NodeJS.Timeout }>();
    const flowFor = (from: RemoteInfo): UdpSocket => {
      const k = `${from.address}|${from.port}`;
      const known = flows.get(k);
      if (known) {
        known.timer.refresh();
        return known.up;
      }
      const up = createSocket(targetIp.includes(':') ? 'udp6' : 'udp4');
      up.on('message', (msg) => sock.send(msg, from.port, from.address));
      up.on('error', () => close());
      const close = (): void => { clearTimeout(timer); flows.delete(k); up.close(); };
      const timer = setTimeout(close, UDP_IDLE_MS);
      timer.unref();
      flows.set(k, { up, timer });
      return up;
    };
    sock.on('message', (msg, from) => flowFor(from).send(msg, p.containerPort, targetIp));
    return new Promise((resolve, reject) => {
      sock.once('error', (e) => { sock.close(); reject(bindError(e, 'udp', p)); });
      sock.bind({ address: p.hostIp, port: p.hostPort, exclusive: true }, () => {
        sock.removeAllListeners('error');
        sock.on('error', (e) => this.log.warn('userland proxy error', { port: p.hostPort, error: String(e) }));
        resolve({
          close: () => {
            for (const f of flows.values()) { clearTimeout(f.timer); f.up.close(); }
            flows.clear();
            sock.close();
          },
        });
      });
    });
  }
}

function refuseSctp(m: PortMapping): never {
  throw new InvalidArgumentError(`Cannot publish ${bindAddress(m.hostIp, m.hostPort)} for ${m.containerPort}/sctp: berth's userland proxy carries tcp and udp only`);
}

/** dockerd's wording when the proxy cannot bind. */
function bindError(e: unknown, proto: string, p: { hostIp: string; hostPort: number }): Error {
  const family = p.hostIp.includes(':') ? '6' : '4';
  const code = errnoCode(e);
  const why = code === 'EADDRINUSE' ? 'bind: address already in use' : code === 'EADDRNOTAVAIL' ? 'bind: cannot assign requested address' : String(code ?? e);
  const text = `Error starting userland proxy: listen ${proto}${family} ${bindAddress(p.hostIp, p.hostPort)}: ${why}`;
  return code === 'EADDRINUSE' ? new ConflictError(text) : new InvalidArgumentError(text);
}
