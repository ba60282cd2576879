import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { eventually, isRoot, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';
import { httpGet, removeEverything, rulesMentioning } from './network-fixtures.js';

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

const HTTPD = ['sh', '-c', 'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && exec httpd -f -p 80 -h /www'];

const ipv4 = (ip: string): number => ip.split('.').reduce((n, x) => n * 256 + Number(x), 0);

describe('daemon bridge options: --fixed-cidr, --ip-masq=false, --default-address-pools', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  let fixed: string;
  const poolOctet = randomInt(100, 150);
  before(async () => {
    d = await startDaemon({
      args: ({ subnet }) => {
        fixed = subnet.replace(/\.0\/24$/, '.128/25');
        return ['--fixed-cidr', fixed, '--ip-masq=false', '--default-address-pools', `base=10.${poolOctet}.0.0/16,size=24`];
      },
    });
    await withBusybox(d);
  });
  after(() => removeEverything(d));

  test('containers on the default bridge get addresses from --fixed-cidr only, and inspect shows the range', async () => {
    ok(await d.docker(['run', '-d', '--name', 'f1', 'busybox', 'sleep', '1000']));
    ok(await d.berth(['run', '-d', '--name', 'f2', 'busybox', 'sleep', '1000']));
    const lo = ipv4(fixed.split('/')[0]!);
    for (const name of ['f1', 'f2']) {
      const ip = ok(await d.docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', name])).trim();
      assert.ok(ipv4(ip) >= lo && ipv4(ip) < lo + 128, `${ip} inside ${fixed}`);
    }
    const ipam = JSON.parse(ok(await d.docker(['network', 'inspect', '-f', '{{json .IPAM.Config}}', 'bridge'])));
    assert.deepEqual(ipam, [{ Subnet: d.subnet, Gateway: d.subnet.replace(/\.0\/24$/, '.1'), IPRange: fixed }]);
  });

  test('--ip-masq=false: the bridge subnet leaves unmasqueraded, ahead of netavark\'s MASQUERADE', async () => {
    const opts = JSON.parse(ok(await d.docker(['network', 'inspect', '-f', '{{json .Options}}', 'bridge'])));
    assert.equal(opts['com.docker.network.bridge.enable_ip_masquerade'], 'false');
    const post = spawnSync('iptables', ['-w', '-t', 'nat', '-S', 'POSTROUTING'], { encoding: 'utf8' }).stdout.split('\n');
    const mine = post.findIndex((r) => r.includes(`-s ${d.subnet} ! -o ${d.bridge}`) && r.includes('-j ACCEPT'));
    const netavark = post.findIndex((r) => r.includes(`-s ${d.subnet}`) && / -j NETAVARK-/.test(r));
    assert.ok(mine >= 0, `exemption rule in\n${post.join('\n')}`);
    assert.ok(netavark > mine, 'before netavark\'s jump');
  });

  test('user networks without --subnet take theirs from --default-address-pools', async () => {
    ok(await d.docker(['network', 'create', 'pooled1']));
    ok(await d.berth(['network', 'create', 'pooled2']));
    assert.equal(ok(await d.docker(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Subnet}}', 'pooled1'])).trim(), `10.${poolOctet}.0.0/24`);
    assert.equal(ok(await d.docker(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Subnet}}', 'pooled2'])).trim(), `10.${poolOctet}.1.0/24`);
    assert.deepEqual(JSON.parse(ok(await d.docker(['info', '--format', '{{json .DefaultAddressPools}}']))), [{ Base: `10.${poolOctet}.0.0/16`, Size: 24 }]);
  });
});

describe('daemon bridge options: --iptables=false', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon({ args: ['--iptables=false'] });
    await withBusybox(d);
  });
  after(() => removeEverything(d));

  test('no iptables rule at all; published ports answer through the userland proxy on IPv4 and IPv6', async () => {
    const port = 20000 + randomInt(0, 9000) * 5;
    const id = ok(await d.docker(['run', '-d', '--name', 'web', '-p', `${port}:80`, '-p', `127.0.0.1:${port + 1}:80`, 'busybox', ...HTTPD])).trim();
    const hello = `hello from ${id.slice(0, 12)}\n`;
    assert.equal(await eventually(() => httpGet('127.0.0.1', port)), hello);
    assert.equal(await httpGet('::1', port), hello);
    assert.equal(await httpGet('127.0.0.1', port + 1), hello);
    ok(await d.docker(['network', 'create', '--subnet', `10.${randomInt(151, 199)}.${randomInt(0, 255)}.0/24`, 'quiet']));
    ok(await d.docker(['run', '-d', '--network', 'quiet', '--name', 'named', 'busybox', 'sleep', '1000']));
    ok(await d.docker(['run', '--rm', '--network', 'quiet', 'busybox', 'ping', '-c', '1', '-W', '3', 'named']));
    const subnet = ok(await d.docker(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Subnet}}', 'quiet'])).trim();
    assert.deepEqual([...rulesMentioning(d.subnet), ...rulesMentioning(subnet), ...rulesMentioning(d.bridge)], []);
    assert.equal(spawnSync('ip6tables', ['-w', '-t', 'nat', '-S'], { encoding: 'utf8' }).stdout.includes(id.slice(0, 12)), false);
    ok(await d.berth(['rm', '-f', 'web']));
    assert.equal(await httpGet('127.0.0.1', port), undefined, 'the proxy closes with the container');
  });
});

describe('daemon bridge options: -b none', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon({ args: ['-b', 'none'] });
    await withBusybox(d);
  });
  after(() => removeEverything(d));

  test('there is no bridge network: containers in the default (bridge) mode get loopback only, as dockerd', async () => {
    assert.deepEqual(ok(await d.docker(['network', 'ls', '--format', '{{.Name}}'])).trim().split('\n').sort(), ['host', 'none']);
    for (const args of [[], ['--network', 'bridge']]) {
      const links = ok(await d.docker(['run', '--rm', ...args, 'busybox', 'ip', '-o', 'link'])).trim().split('\n');
      assert.deepEqual(links.map((l) => l.split(':')[1]!.trim()), ['lo']);
    }
    const r = await d.docker(['network', 'inspect', 'bridge']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /network bridge not found/);
    ok(await d.docker(['network', 'create', '--subnet', `10.${randomInt(151, 199)}.${randomInt(0, 255)}.0/24`, 'own']));
    assert.match(ok(await d.docker(['run', '--rm', '--network', 'own', 'busybox', 'ip', '-o', 'link'])), /eth0/);
  });
});

/** The namespace (`net:[inode]`) a process is in, or undefined when it is gone. */
function nsOf(pid: number | string, kind: 'net' | 'mnt'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined;
  }
}

/** Every process or mount on the machine that still holds the network namespace `ns` ("net:[inode]"). */
function holdersOf(ns: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (nsOf(pid, 'net') === ns) found.push(`process ${pid}`);
    try {
      if (readFileSync(`/proc/${pid}/mountinfo`, 'utf8').includes(` ${ns} `)) found.push(`a mount seen by process ${pid}`);
    } catch { /* gone */ }
  }
  return found;
}

// berthd runs in a network namespace of the test's own, where forwarding is off: the host's
// forwarding (which dockerd and the other tests' daemons need) is never touched.
describe('daemon bridge options: --ip-forward=false', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon | undefined;
  const netns = `berth-fwd-${randomInt(1e9).toString(36)}`;
  const inNs = (...cmd: string[]): string => {
    const r = spawnSync('ip', ['netns', 'exec', netns, ...cmd], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const forwarding = (): string[] => ['/proc/sys/net/ipv4/ip_forward', '/proc/sys/net/ipv6/conf/all/forwarding'].map((f) => inNs('cat', f).trim());
  before(async () => {
    assert.equal(spawnSync('ip', ['netns', 'add', netns]).status, 0);
    inNs('ip', 'link', 'set', 'lo', 'up');
    inNs('sh', '-c', 'echo 0 > /proc/sys/net/ipv4/ip_forward && echo 0 > /proc/sys/net/ipv6/conf/all/forwarding');
    d = await startDaemon({ netns, args: ['--ip-forward=false'] });
    await withBusybox(d);
  });
  after(async () => {
    await removeEverything(d);
    spawnSync('ip', ['netns', 'delete', netns]);
  });

  test('forwarding stays off through containers on the default bridge, a user network and an IPv6 network; DNS works; removed containers\' namespaces are freed', async () => {
    const dm = d!;
    assert.deepEqual(forwarding(), ['0', '0']);
    const octet = randomInt(151, 199);
    ok(await dm.docker(['run', '-d', '--name', 'onbridge', 'busybox', 'sleep', '1000']));
    ok(await dm.berth(['network', 'create', '--subnet', `10.${octet}.1.0/24`, 'fwd-user']));
    ok(await dm.docker(['network', 'create', '--ipv6', '--subnet', `10.${octet}.2.0/24`, '--subnet', `fd00:${octet}:2::/64`, 'fwd-v6']));
    ok(await dm.docker(['run', '-d', '--name', 'onuser', '--network', 'fwd-user', 'busybox', 'sleep', '1000']));
    ok(await dm.docker(['run', '-d', '--name', 'onv6', '--network', 'fwd-v6', 'busybox', 'sleep', '1000']));
    assert.deepEqual(forwarding(), ['0', '0'], 'netavark set the bridges up without turning forwarding on');
    // the embedded DNS, which netavark started, answers
    const ip = ok(await dm.docker(['inspect', '-f', '{{(index .NetworkSettings.Networks "fwd-user").IPAddress}}', 'onuser'])).trim();
    const dns = await eventually(async () => { const r = await dm.docker(['run', '--rm', '--network', 'fwd-user', 'busybox', 'nslookup', 'onuser']); return r.code === 0 && r.stdout; }, 20_000);
    assert.ok(dns.includes(ip), dns);
    assert.deepEqual(forwarding(), ['0', '0']);
    // aardvark-dns outlives netavark: it runs in berthd's own mount namespace, not netavark's shielded one
    const aardvark = Number(readFileSync(join(dm.execRoot, 'netavark', 'aardvark-dns', 'aardvark.pid'), 'utf8'));
    const berthd = Number(readFileSync(join(dm.dir, 'berthd.pid'), 'utf8'));
    assert.ok(nsOf(aardvark, 'mnt'), 'aardvark-dns runs');
    assert.equal(nsOf(aardvark, 'mnt'), nsOf(berthd, 'mnt'));
    // a removed container's network namespace is held by no process and no mount anywhere
    const gone = await Promise.all(['onuser', 'onv6'].map(async (name) => nsOf(ok(await dm.docker(['inspect', '-f', '{{.State.Pid}}', name])).trim(), 'net')!));
    ok(await dm.docker(['rm', '-f', 'onuser', 'onv6']));
    for (const ns of gone) await eventually(() => holdersOf(ns).length === 0, 10_000).catch(() => assert.fail(`${ns} is still held: ${holdersOf(ns).join(', ')}`));
  });
});
