import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { errnoCode, InvalidArgumentError } from '../base/index.js';
import type { PortProbe } from './port-allocator.js';

/**
 * Bind the address for a moment, as dockerd's port reservation does: a host process that
 * listens there makes the port taken. berth then forwards with DNAT and holds no socket
 * (docs/networking.md). SCTP cannot be probed from Node and counts as free.
 */
export const probeHostPort: PortProbe = async ({ hostIp, port, protocol }) => {
  if (protocol === 'sctp') return true;
  const family = hostIp.includes(':') ? 6 : 4;
  try {
    if (protocol === 'tcp') await bindTcp(hostIp, port);
    else await bindUdp(hostIp, port, family);
    return true;
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'EADDRINUSE' || code === 'EACCES') return false;
    if (code === 'EADDRNOTAVAIL') {
      throw new InvalidArgumentError(`Error starting userland proxy: listen ${protocol}${family} ${hostIp.includes(':') ? `[${hostIp}]` : hostIp}:${port}: bind: cannot assign requested address`);
    }
    throw e;
  }
};

function bindTcp(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ host, port, exclusive: true, ipv6Only: host === '::' ? false : undefined }, () => srv.close(() => resolve()));
  });
}

function bindUdp(address: string, port: number, family: 4 | 6): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
    sock.once('error', (e) => { sock.close(); reject(e); });
    sock.bind({ address, port, exclusive: true }, () => sock.close(() => resolve()));
  });
}
