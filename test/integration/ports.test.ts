import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { eventually, isRoot, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';
import { httpGet } from './network-fixtures.js';

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

const HTTPD = ['sh', '-c', 'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && exec httpd -f -p 80 -h /www'];

/** The host's first IPv4 address that is not loopback nor a container bridge. */
function hostAddress(): string {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (/^(lo|bt|br-|docker|berth|veth|cni|podman|bp)/.test(name)) continue;
    const a = addrs?.find((x) => x.family === 'IPv4' && !x.internal);
    if (a) return a.address;
  }
  throw new Error('no host address outside loopback');
}

/** A network namespace standing in for another host: a veth to the host, 10.<a>.<b>.2 → .1. */
class OtherHost {
  readonly ns = `bpns${randomBytes(3).toString('hex')}`;
  private readonly hostEnd = `bph${randomBytes(3).toString('hex')}`;
  private readonly peerEnd = `bpp${randomBytes(3).toString('hex')}`;
  readonly hostIp: string;
  private readonly peerIp: string;

  constructor() {
    const [a, b] = [randomInt(200, 250), randomInt(0, 255)];
    this.hostIp = `10.${a}.${b}.1`;
    this.peerIp = `10.${a}.${b}.2`;
  }

  setUp(): void {
    const sh = (args: string[]): void => { execFileSync('ip', args, { stdio: 'pipe' }); };
    sh(['netns', 'add', this.ns]);
    sh(['link', 'add', this.hostEnd, 'type', 'veth', 'peer', 'name', this.peerEnd]);
    sh(['link', 'set', this.peerEnd, 'netns', this.ns]);
    sh(['addr', 'add', `${this.hostIp}/30`, 'dev', this.hostEnd]);
    sh(['link', 'set', this.hostEnd, 'up']);
    sh(['-n', this.ns, 'addr', 'add', `${this.peerIp}/30`, 'dev', this.peerEnd]);
    sh(['-n', this.ns, 'link', 'set', this.peerEnd, 'up']);
    sh(['-n', this.ns, 'link', 'set', 'lo', 'up']);
    sh(['-n', this.ns, 'route', 'add', 'default', 'via', this.hostIp]);
  }

  /** wget from the other host to one of the host's addresses. */
  get(host: string, port: number): string | undefined {
    const r = spawnSync('ip', ['netns', 'exec', this.ns, 'wget', '-qO-', '-T', '3', `http://${host}:${port}/`], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout : undefined;
  }

  tearDown(): void {
    spawnSync('ip', ['link', 'del', this.hostEnd], { stdio: 'ignore' });
    spawnSync('ip', ['netns', 'del', this.ns], { stdio: 'ignore' });
  }
}

/** The iptables rules that name this daemon's subnet or its netavark network, without counters. */
function ourRules(d: TestDaemon, netavarkName: string): string[] {
  const dump = execFileSync('iptables-save', [], { encoding: 'utf8' });
  const chains = new Set([...dump.matchAll(/-j (NETAVARK-DN-[0-9A-F]+)/g)].filter((m) => dump.split('\n').some((l) => l.includes(m[1]!) && l.includes(netavarkName))).map((m) => m[1]!));
  return dump.split('\n')
    .filter((l) => !l.startsWith('#') && (l.includes(d.subnet) || l.includes(netavarkName) || [...chains].some((c) => l.includes(c))))
    .map((l) => l.replace(/\[\d+:\d+\]/g, ''))
    .sort();
}

describe('published ports', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  const other = new OtherHost();
  // host ports of our own, away from the ephemeral range; other tests run beside this one
  const base = 20000 + randomInt(0, 600) * 20;
  let addr: string;
  let netavarkName: string;
  let baseline: string[];

  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
    other.setUp();
    addr = hostAddress();
    // the bridge and its standing rules exist once a first container has run
    ok(await d.berth(['run', '--rm', 'busybox', 'true']));
    netavarkName = `berth-${String((await d.api('GET', '/networks/bridge')).json().Id).slice(0, 12)}`;
    baseline = ourRules(d, netavarkName);
  });
  after(async () => {
    other.tearDown();
    await d?.cleanup();
  });

  test('every -p form answers from the host and from another host, and inspect, ps and port show it', async () => {
    const p = base;
    const id = ok(await d.docker(['run', '-d', '--name', 'web', '-p', `${p}:80`, '-p', `127.0.0.1:${p + 1}:80`, '-p', `${addr}::80`,
      '-p', '80', '-p', `${p + 2}-${p + 4}:80-82`, '--expose', '90', 'busybox', ...HTTPD])).trim();
    const ports = JSON.parse(ok(await d.berth(['inspect', '-f', '{{json .NetworkSettings.Ports}}', 'web']))) as Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
    assert.deepEqual(Object.keys(ports).sort(), ['80/tcp', '81/tcp', '82/tcp', '90/tcp']);
    assert.equal(ports['90/tcp'], null);
    const eighty = ports['80/tcp']!;
    // a binding without an address is published on both families, one port (dockerd 20.10+)
    assert.deepEqual(eighty.slice(0, 3), [{ HostIp: '0.0.0.0', HostPort: String(p) }, { HostIp: '::', HostPort: String(p) }, { HostIp: '127.0.0.1', HostPort: String(p + 1) }]);
    const ephemeralAddr = Number(eighty.find((b) => b.HostIp === addr)!.HostPort);
    const ephemeralAny = Number(eighty.find((b) => b.HostIp === '0.0.0.0' && b.HostPort !== String(p) && b.HostPort !== String(p + 2))!.HostPort);
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];
    for (const e of [ephemeralAddr, ephemeralAny]) assert.ok(e >= lo && e <= hi, `${e} in the ephemeral range`);
    assert.deepEqual(ports['81/tcp'], [{ HostIp: '0.0.0.0', HostPort: String(p + 3) }, { HostIp: '::', HostPort: String(p + 3) }]);
    const bindings = JSON.parse(ok(await d.docker(['inspect', '-f', '{{json .HostConfig.PortBindings}}', 'web'])));
    assert.deepEqual(bindings['80/tcp'][0], { HostIp: '', HostPort: String(p) });

    const hello = `hello from ${id.slice(0, 12)}\n`;
    assert.equal(await eventually(() => httpGet('127.0.0.1', p)), hello);
    assert.equal(await httpGet(addr, p), hello);
    assert.equal(await httpGet('127.0.0.1', p + 1), hello);
    assert.equal(await httpGet(addr, ephemeralAddr), hello);
    assert.equal(await httpGet('127.0.0.1', ephemeralAny), hello);
    assert.equal(await httpGet('127.0.0.1', p + 2), hello);
    assert.equal(other.get(other.hostIp, p), hello, 'another host reaches 0.0.0.0:port through any host address');
    assert.equal(other.get(addr, ephemeralAddr), hello);
    assert.equal(other.get(other.hostIp, p + 2), hello);
    assert.equal(other.get(other.hostIp, p + 1), undefined, '127.0.0.1 bindings are not reachable from another host');

    const portOut = ok(await d.docker(['port', 'web']));
    assert.match(portOut, new RegExp(`^80/tcp -> 0\\.0\\.0\\.0:${p}$`, 'm'));
    assert.match(portOut, new RegExp(`^80/tcp -> 127\\.0\\.0\\.1:${p + 1}$`, 'm'));
    assert.equal(ok(await d.berth(['port', 'web'])), portOut, 'berth port prints what docker port prints');
    assert.equal(ok(await d.berth(['port', 'web', '81/tcp'])), `0.0.0.0:${p + 3}\n[::]:${p + 3}\n`);
    assert.equal(ok(await d.docker(['port', 'web', '81'])), `0.0.0.0:${p + 3}\n[::]:${p + 3}\n`);
    // the IPv6 side goes through the userland proxy into the IPv4-only bridge
    assert.equal(await httpGet('::1', p), hello);
    assert.equal(await httpGet('::1', ephemeralAny), hello);
    const none = await d.berth(['port', 'web', '90']);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /no public port '90\/tcp' published for web/);
    const ps = ok(await d.docker(['ps', '--format', '{{.Ports}}', '--filter', 'name=web']));
    assert.match(ps, new RegExp(`0\\.0\\.0\\.0:${p}->80/tcp`));
    // as docker prints it: a published range whose host ports differ from the container's is listed port by port
    assert.match(ps, new RegExp(`0\\.0\\.0\\.0:${p + 3}->81/tcp, \\[::\\]:${p + 3}->81/tcp, 0\\.0\\.0\\.0:${p + 4}->82/tcp`));
    assert.match(ps, /90\/tcp/);
    assert.equal(ok(await d.docker(['ps', '-q', '--filter', `publish=${p + 3}`])).trim(), id.slice(0, 12));
    assert.equal(ok(await d.docker(['ps', '-q', '--filter', `publish=${p + 3}/udp`])).trim(), '');
    assert.equal(ok(await d.berth(['ps', '-q', '--filter', 'expose=89-90'])).trim(), id.slice(0, 12));
    ok(await d.berth(['rm', '-f', 'web']));
    assert.equal(await httpGet('127.0.0.1', p), undefined, 'the port is closed with the container');
  });

  test('-P publishes every exposed port on the ephemeral range; UDP is forwarded', async () => {
    ok(await d.berth(['run', '-d', '--name', 'pall', '-P', '--expose', '80', '--expose', '7000-7001/udp', 'busybox', ...HTTPD]));
    const ports = JSON.parse(ok(await d.berth(['inspect', '-f', '{{json .NetworkSettings.Ports}}', 'pall'])));
    assert.deepEqual(Object.keys(ports).sort(), ['7000/udp', '7001/udp', '80/tcp']);
    const web = Number(ports['80/tcp'][0].HostPort);
    assert.match(await eventually(() => httpGet('127.0.0.1', web)), /hello/);
    ok(await d.berth(['rm', '-f', 'pall']));

    // busybox here has no UDP server: a UDP echo (node) runs in the container's network namespace
    const udpPort = base + 10;
    ok(await d.docker(['run', '-d', '--name', 'udp', '-p', `${udpPort}:9999/udp`, 'busybox', 'sleep', '1000']));
    const pid = ok(await d.berth(['inspect', '-f', '{{.State.Pid}}', 'udp'])).trim();
    const echo = spawn('nsenter', ['-t', pid, '-n', process.execPath, '-e',
      "const s = require('node:dgram').createSocket('udp4'); s.on('message', (m, r) => s.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address)); s.bind(9999);"], { stdio: 'ignore' });
    const sock = createSocket('udp4');
    try {
      const answer = new Promise<string>((r) => sock.once('message', (m) => r(m.toString())));
      const timer = setInterval(() => sock.send('ping-through-udp', udpPort, '127.0.0.1'), 100);
      try {
        assert.equal(await answer, 'echo:ping-through-udp');
      } finally {
        clearInterval(timer);
      }
    } finally {
      sock.close();
      echo.kill('SIGKILL');
    }
    ok(await d.berth(['rm', '-f', 'udp']));
  });

  test('a taken host port gives Docker\'s error and leaves nothing half-started', async () => {
    const p = base + 11;
    ok(await d.berth(['run', '-d', '--name', 'holder', '-p', `${p}:80`, 'busybox', ...HTTPD]));
    const rulesWithHolder = ourRules(d, netavarkName);
    const second = await d.docker(['run', '-d', '--name', 'second', '-p', `${p}:80`, 'busybox', ...HTTPD]);
    assert.equal(second.code, 125);
    assert.match(second.stderr, new RegExp(`Bind for 0\\.0\\.0\\.0:${p} failed: port is already allocated`));
    assert.equal(ok(await d.berth(['inspect', '-f', '{{.State.Status}}', 'second'])).trim(), 'created');
    assert.deepEqual(ourRules(d, netavarkName), rulesWithHolder, 'the failed start made no rule');
    // a specific address collides with 0.0.0.0 on the same port
    const specific = await d.berth(['run', '--rm', '-p', `127.0.0.1:${p}:80`, 'busybox', 'true']);
    assert.match(specific.stderr, new RegExp(`Bind for 127\\.0\\.0\\.1:${p} failed: port is already allocated`));
    ok(await d.berth(['rm', '-f', 'holder', 'second']));

    // a host process listening there
    const srv: Server = createServer();
    await new Promise<void>((r) => srv.listen(p + 1, '0.0.0.0', () => r()));
    try {
      const r = await d.berth(['run', '--rm', '-p', `${p + 1}:80`, 'busybox', 'true']);
      assert.equal(r.code, 125);
      assert.match(r.stderr, new RegExp(`Bind for 0\\.0\\.0\\.0:${p + 1} failed: port is already allocated`));
    } finally {
      srv.close();
    }
    assert.deepEqual(ourRules(d, netavarkName), baseline);
  });

  test('invalid specs are refused at create with a 400 and Docker\'s message', async () => {
    const create = (hc: unknown) => d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: hc });
    for (const [hc, msg] of [
      [{ PortBindings: { '99999/tcp': [{ HostPort: '80' }] } }, 'invalid port specification: "99999"'],
      [{ PortBindings: { 'abc/tcp': [{ HostPort: '80' }] } }, 'invalid port specification: "abc"'],
      [{ PortBindings: { '80/tcp': [{ HostPort: '99999' }] } }, 'invalid port specification: "99999"'],
      [{ PortBindings: { '80/tcp': [{ HostPort: '90-80' }] } }, 'invalid port specification: "90-80"'],
      [{ PortBindings: { '80/tcp': [{ HostIp: 'nope', HostPort: '80' }] } }, 'invalid IP address: nope'],
    ] as const) {
      const r = await create(hc);
      assert.equal(r.status, 400, r.body);
      assert.equal(r.json().message, msg);
    }
    for (const [spec, msg] of <Array<[string, string]>>[['99999:80', 'invalid hostPort: 99999'], ['abc', 'invalid containerPort: abc'], ['8000-8010:80-82', 'invalid ranges specified for container and host Ports: 80-82 and 8000-8010']]) {
      const r = await d.berth(['create', '-p', spec, 'busybox', 'true']);
      assert.equal(r.code, 125);
      assert.match(r.stderr, new RegExp(msg));
    }
  });

  test('IPv6 host addresses: [::1]:port and [::]:port are reachable through [::1] and shown as docker does', async () => {
    const p = base + 17;
    const id = ok(await d.docker(['run', '-d', '--name', 'six', '-p', `[::1]:${p}:80`, '-p', `[::]:${p + 1}:80`, 'busybox', ...HTTPD])).trim();
    const hello = `hello from ${id.slice(0, 12)}\n`;
    assert.equal(await eventually(() => httpGet('::1', p)), hello);
    assert.equal(await httpGet('::1', p + 1), hello);
    assert.equal(await httpGet('127.0.0.1', p), undefined, '[::1] is IPv6 loopback only');
    const ports = JSON.parse(ok(await d.docker(['inspect', '-f', '{{json .NetworkSettings.Ports}}', 'six'])));
    assert.deepEqual(ports['80/tcp'], [{ HostIp: '::1', HostPort: String(p) }, { HostIp: '::', HostPort: String(p + 1) }]);
    assert.equal(ok(await d.docker(['port', 'six', '80'])), `[::1]:${p}\n[::]:${p + 1}\n`);
    const clash = await d.berth(['run', '--rm', '-p', `[::1]:${p}:80`, 'busybox', 'true']);
    assert.equal(clash.code, 125);
    assert.match(clash.stderr, new RegExp(`Bind for \\[::1\\]:${p} failed: port is already allocated`));
    ok(await d.berth(['rm', '-f', 'six']));
    assert.equal(await httpGet('::1', p), undefined, 'the proxy closes with the container');
  });

  test('a port is free again once run --rm or stop returns; DNAT, no proxy; the container and its neighbours reach it through a host address', async () => {
    const p = base + 16;
    // dockerd releases a container's ports before it reports the exit: the next run may take them at once
    for (let i = 0; i < 3; i++) ok(await d.docker(['run', '--rm', '-p', `${p}:80`, 'busybox', 'true']));
    ok(await d.docker(['run', '-d', '--name', 'stopper', '-p', `${p}:80`, 'busybox', 'sleep', '600']));
    ok(await d.docker(['stop', '-t', '0', 'stopper']));
    const id = ok(await d.berth(['run', '-d', '--name', 'hairpin', '-p', `${p}:80`, 'busybox', ...HTTPD])).trim();
    const hello = `hello from ${id.slice(0, 12)}\n`;
    assert.equal(await eventually(() => httpGet('127.0.0.1', p)), hello);
    // the kernel forwards IPv4: no process listens there (the [::] side is the userland proxy), and loopback may be routed out of the bridge
    assert.equal(execFileSync('ss', ['-Htln4', `sport = :${p}`], { encoding: 'utf8' }).trim(), '');
    assert.equal(readFileSync(`/proc/sys/net/ipv4/conf/${d.bridge}/route_localnet`, 'utf8').trim(), '1');
    const get = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${addr} ${p}`;
    assert.match(ok(await d.docker(['exec', 'hairpin', 'sh', '-c', get])), new RegExp(hello.trim()), 'the container itself (hairpin)');
    assert.match(ok(await d.docker(['run', '--rm', 'busybox', 'sh', '-c', get])), new RegExp(hello.trim()), 'a neighbour on the bridge');
    ok(await d.berth(['rm', '-f', 'hairpin', 'stopper']));
    assert.equal(await httpGet('127.0.0.1', p), undefined);
  });

  test('after kill -9 of berthd published ports keep answering, restart keeps the allocation, rm -f restores iptables', async () => {
    const p = base + 13;
    const id = ok(await d.berth(['run', '-d', '--name', 'survivor', '-p', `${p}:80`, '-p', `127.0.0.1::80`, 'busybox', ...HTTPD])).trim();
    const hello = `hello from ${id.slice(0, 12)}\n`;
    assert.equal(await eventually(() => httpGet('127.0.0.1', p)), hello);
    await d.crash();
    assert.equal(await httpGet('127.0.0.1', p), hello, 'answers while berthd is dead');
    assert.equal(other.get(other.hostIp, p), hello);
    await d.restart();
    assert.equal(await httpGet('127.0.0.1', p), hello);
    assert.equal(other.get(other.hostIp, p), hello);
    const again = await d.berth(['run', '--rm', '-p', `${p}:80`, 'busybox', 'true']);
    assert.match(again.stderr, /port is already allocated/, 'the allocation was restored');
    assert.match(ok(await d.docker(['port', 'survivor', '80'])), new RegExp(`^0\\.0\\.0\\.0:${p}\\n127\\.0\\.0\\.1:\\d+\\n\\[::\\]:${p}\\n$`));
    assert.equal(await httpGet('::1', p), hello, 'the restarted daemon proxies the IPv6 side again');
    // netavark's DNAT chain of the network (SHA-512 of netavark's network name) never stays behind
    const dnChain = `NETAVARK-DN-${createHash('sha512').update(netavarkName).digest('hex').slice(0, 13).toUpperCase()}`;
    const chainExists = (): boolean => spawnSync('iptables', ['-w', '-t', 'nat', '-S', dnChain]).status === 0;
    ok(await d.berth(['rm', '-f', 'survivor']));
    assert.equal(await httpGet('127.0.0.1', p), undefined);
    assert.equal(chainExists(), false, 'the empty DNAT chain goes with the last published port');
    assert.deepEqual(ourRules(d, netavarkName), baseline, 'iptables-save is back to where it started');
  });
});
