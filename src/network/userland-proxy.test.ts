import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, createServer, type AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { UserlandProxy } from './userland-proxy.js';

const hasIpv6 = existsSync('/proc/net/if_inet6');

/** A free port of the host (bound for a moment). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

test('UserlandProxy forwards TCP from an IPv6 address to an IPv4 target, and stop() closes the port', { skip: !hasIpv6 && 'no IPv6' }, async () => {
  const target = createServer((c) => c.pipe(c));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  const targetPort = (target.address() as AddressInfo).port;
  const proxy = new UserlandProxy();
  const hostPort = await freePort('::1');
  try {
    // the container port is the target's: the proxy connects to targetIp:containerPort
    await proxy.start('ep', [{ hostIp: '::1', hostPort, containerPort: targetPort, protocol: 'tcp', range: 1 }], '127.0.0.1');
    const echoed = await new Promise<string>((resolve, reject) => {
      const c = connect({ host: '::1', port: hostPort }, () => c.end('ping'));
      let got = '';
      c.on('data', (d: Buffer) => { got += d.toString(); });
      c.on('end', () => resolve(got));
      c.on('error', reject);
    });
    assert.equal(echoed, 'ping');
    await assert.rejects(proxy.start('other', [{ hostIp: '::1', hostPort, containerPort: targetPort, protocol: 'tcp', range: 1 }], '127.0.0.1'), /Error starting userland proxy: listen tcp6 \[::1\]:\d+: bind: address already in use/);
    proxy.stop('ep');
    await new Promise<void>((resolve) => {
      const c = connect({ host: '::1', port: hostPort });
      c.on('error', () => resolve());
      c.on('connect', () => { c.destroy(); assert.fail('still listening'); });
    });
  } finally {
    proxy.stopAll();
    target.close();
  }
});

test('UserlandProxy forwards UDP both ways, each client through its own flow', async () => {
  const target = createSocket('udp4');
  target.on('message', (m, r) => target.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
  await new Promise<void>((r) => target.bind(0, '127.0.0.1', () => r()));
  const targetPort = target.address().port;
  const proxy = new UserlandProxy();
  const hostPort = await freePort('127.0.0.1');
  const client = createSocket('udp4');
  try {
    await proxy.start('ep', [{ hostIp: '127.0.0.1', hostPort, containerPort: targetPort, protocol: 'udp', range: 1 }], '127.0.0.1');
    const answer = new Promise<string>((r) => client.once('message', (m) => r(m.toString())));
    client.send('hi', hostPort, '127.0.0.1');
    assert.equal(await answer, 'echo:hi');
    await assert.rejects(proxy.start('x', [{ hostIp: '127.0.0.1', hostPort: 1, containerPort: 1, protocol: 'sctp', range: 1 }], '127.0.0.1'), /carries tcp and udp only/);
  } finally {
    proxy.stopAll();
    client.close();
    target.close();
  }
});
