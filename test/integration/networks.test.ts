import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, isRoot, removeNetworkLeftovers, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';
import { removeEverything, rulesMentioning } from './network-fixtures.js';

const skip = !isRoot() && 'needs root';

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

/** Subnets of this file's networks: 10.<a>.<n>.0/24, a from the pid, so parallel runs differ. */
const A = 100 + (process.pid % 100);
const subnet = (n: number): string => `10.${A}.${n}.0/24`;
const bridgeOf = (n: number): string => `bn${A}x${n}`;

function links(): string[] {
  return spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout.split('\n').map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1] ?? '').filter(Boolean).sort();
}


describe('user-defined networks', { skip }, () => {
  let d: TestDaemon;
  const made: number[] = [];
  const net = async (n: number, name: string, extra: string[] = []): Promise<string> => {
    made.push(n);
    return ok(await d.docker(['network', 'create', '--subnet', subnet(n), '-o', `com.docker.network.bridge.name=${bridgeOf(n)}`, ...extra, name])).trim();
  };
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
  });
  after(async () => {
    await removeEverything(d);
    for (const n of made) removeNetworkLeftovers(bridgeOf(n), subnet(n));
    removeNetworkLeftovers(bridgeOf(9), `fd00:${A}:9::/64`);
  });

  test('containers on one network resolve each other by name, short id and alias; not across networks; outside names still resolve', async () => {
    await net(1, 'nd-a', ['--label', 'tier=test']);
    await net(2, 'nd-b');
    const web = ok(await d.docker(['run', '-d', '--name', 'nd-web', '--network', 'nd-a', '--network-alias', 'www', 'busybox', 'sleep', '300'])).trim();
    ok(await d.docker(['run', '-d', '--name', 'nd-other', '--network', 'nd-b', 'busybox', 'sleep', '300']));
    const ip = ok(await d.docker(['inspect', '-f', '{{(index .NetworkSettings.Networks "nd-a").IPAddress}}', 'nd-web'])).trim();
    assert.match(ip, new RegExp(`^10\\.${A}\\.1\\.\\d+$`));
    // aardvark-dns rebinds its sockets when netavark adds a network: the first answer may take a retry
    await eventually(async () => (await d.docker(['run', '--rm', '--network', 'nd-a', 'busybox', 'nslookup', 'nd-web'])).code === 0, 20_000);
    for (const name of ['nd-web', web.slice(0, 12), 'www']) {
      const out = ok(await d.docker(['run', '--rm', '--network', 'nd-a', 'busybox', 'nslookup', name]));
      assert.ok(out.includes(ip), `${name} resolves to ${ip}:\n${out}`);
    }
    const across = await d.docker(['run', '--rm', '--network', 'nd-b', 'busybox', 'nslookup', 'nd-web']);
    assert.notEqual(across.code, 0, `nd-web must not resolve from nd-b:\n${across.stdout}`);
    // a container in nd-web's namespace sees what nd-web sees (no docker exec needed)
    const inWeb = (cmd: string): Promise<RunResult> => d.docker(['run', '--rm', '--network', 'container:nd-web', 'busybox', 'sh', '-c', cmd]);
    ok(await inWeb('ping -c1 -W2 nd-web'));
    const rc = ok(await inWeb('cat /etc/resolv.conf'));
    assert.match(rc, new RegExp(`nameserver 10\\.${A}\\.1\\.1`));

    // network inspect and ls
    const doc = JSON.parse(ok(await d.docker(['network', 'inspect', 'nd-a'])))[0];
    assert.equal(doc.Name, 'nd-a');
    assert.deepEqual(doc.IPAM.Config, [{ Subnet: subnet(1), Gateway: `10.${A}.1.1` }]);
    assert.equal(doc.Labels.tier, 'test');
    assert.equal(doc.Containers[web].Name, 'nd-web');
    assert.equal(doc.Containers[web].IPv4Address, `${ip}/24`);
    const ls = ok(await d.docker(['network', 'ls', '--filter', 'label=tier=test', '--format', '{{.Name}} {{.Driver}}'])).trim();
    assert.equal(ls, 'nd-a bridge');
    const insp = JSON.parse(ok(await d.docker(['inspect', 'nd-web'])))[0];
    assert.deepEqual(insp.NetworkSettings.Networks['nd-a'].Aliases, ['www']);
    assert.deepEqual(insp.NetworkSettings.Networks['nd-a'].DNSNames, ['nd-web', web.slice(0, 12), 'www']);
    assert.equal(insp.NetworkSettings.IPAddress, '', 'the top-level address is the default bridge\'s, as dockerd\'s');
    assert.equal(ok(await d.docker(['ps', '--filter', 'network=nd-a', '--format', '{{.Names}}'])).trim(), 'nd-web');

    // connect and disconnect on the running container: it then resolves on nd-b too
    ok(await d.docker(['network', 'connect', '--alias', 'second', 'nd-b', 'nd-web']));
    const ifaces = ok(await inWeb('ip -o -4 addr'));
    assert.match(ifaces, new RegExp(`eth1.*10\\.${A}\\.2\\.`));
    const fromB = await eventually(async () => { const r = await d.docker(['run', '--rm', '--network', 'nd-b', 'busybox', 'nslookup', 'second']); return r.code === 0 && r.stdout; }, 20_000);
    assert.match(fromB, new RegExp(`10\\.${A}\\.2\\.`));
    ok(await d.docker(['network', 'disconnect', 'nd-b', 'nd-web']));
    assert.doesNotMatch(ok(await inWeb('ip -o -4 addr')), /eth1/);
    const gone = await d.docker(['network', 'disconnect', 'nd-b', 'nd-web']);
    assert.notEqual(gone.code, 0);
    ok(await d.docker(['network', 'disconnect', '-f', 'nd-b', 'nd-web']));

    // busy networks are refused; after rm -f of everything, links and rules are back
    const busy = await d.docker(['network', 'rm', 'nd-a']);
    assert.notEqual(busy.code, 0);
    assert.match(busy.stderr, /has active endpoints/);
    ok(await d.docker(['rm', '-f', 'nd-web', 'nd-other']));
    await eventually(async () => (await d.docker(['network', 'rm', 'nd-a', 'nd-b'])).code === 0, 20_000);
    // (other engines' tests add and remove veths meanwhile: only this file's bridges and keepers are checked)
    assert.deepEqual(links().filter((l) => l.startsWith(`bn${A}x`)), []);
    assert.deepEqual(rulesMentioning(`10.${A}.1.`), []);
    assert.deepEqual(rulesMentioning(`10.${A}.2.`), []);
  });

  test('--link on a user network and on network connect: the alias resolves for the linker alone, through the embedded DNS, with no link environment nor /etc/hosts entry; it follows the target to a new address', async () => {
    await net(5, 'nd-link');
    const dbId = ok(await d.docker(['run', '-d', '--name', 'nd-db', '--network', 'nd-link', '--expose', '5432', 'busybox', 'sleep', '300'])).trim();
    const ip = ok(await d.docker(['inspect', '-f', '{{(index .NetworkSettings.Networks "nd-link").IPAddress}}', 'nd-db'])).trim();
    await eventually(async () => (await d.docker(['run', '--rm', '--network', 'nd-link', 'busybox', 'nslookup', 'nd-db'])).code === 0, 20_000);
    ok(await d.docker(['run', '-d', '--name', 'nd-app', '--network', 'nd-link', '--link', 'nd-db:dbalias', 'busybox', 'sleep', '300']));
    ok(await d.docker(['run', '-d', '--name', 'nd-c', '--network', 'nd-link', 'busybox', 'sleep', '300']));
    const inApp = (cmd: string): Promise<RunResult> => d.docker(['run', '--rm', '--network', 'container:nd-app', 'busybox', 'sh', '-c', cmd]);
    const inC = (cmd: string): Promise<RunResult> => d.docker(['run', '--rm', '--network', 'container:nd-c', 'busybox', 'sh', '-c', cmd]);
    // aardvark-dns closes its sockets for a moment at each reload (a container came or went): a
    // lookup that got no answer at all is asked again. nslookup asks the embedded DNS itself; ping
    // goes through the C library's resolver (busybox has no getent).
    // on failure: whether aardvark-dns still runs, and its files
    const dbg = async (inX: typeof inApp): Promise<string> => `\n${(await inX('ip neigh')).stdout}${spawnSync('sh', ['-c', `ps -p "$(cat ${d.execRoot}/netavark/aardvark-dns/aardvark.pid)" -o pid,comm; head -50 ${d.execRoot}/netavark/aardvark-dns/*`], { encoding: 'utf8' }).stdout}`;
    const answered = (inX: typeof inApp, cmd: string): Promise<RunResult> =>
      eventually(async () => { const r = await inX(cmd); return !/Connection refused|timed out|no servers could be reached/.test(r.stdout + r.stderr) && r; }, 20_000)
        .catch(async () => assert.fail(`${cmd}: ${JSON.stringify(await inX(cmd))}${await dbg(inX)}`));
    const resolves = async (inX: typeof inApp, name: string, addr: string): Promise<void> => {
      const r = await eventually(async () => { const x = await answered(inX, `nslookup ${name}`); return x.code === 0 && x.stdout.includes(addr) && x; }, 20_000)
        .catch(async () => assert.fail(`${name} answers ${addr}:\n${(await inX(`nslookup ${name}`)).stdout}${await dbg(inX)}`));
      assert.ok(r.stdout.includes(addr));
      const ping = await eventually(async () => { const x = await inX(`ping -c1 -W2 ${name}`); return x.code === 0 && x.stdout; }, 20_000);
      assert.match(ping, new RegExp(`PING ${name} \\(${addr.replace(/\./g, '\\.')}\\)`));
    };
    const nxdomain = async (inX: typeof inApp, name: string): Promise<void> => {
      const r = await answered(inX, `nslookup ${name}`);
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stdout + r.stderr, /NXDOMAIN/);
    };
    await resolves(inApp, 'dbalias', ip);
    await resolves(inApp, 'nd-db', ip);
    await resolves(inC, 'nd-db', ip);
    // the alias is the linker's alone: nd-c, on the same network and the same DNS server, gets NXDOMAIN
    await nxdomain(inC, 'dbalias');
    assert.match((await inC('ping -c1 -W2 dbalias')).stderr, /bad address 'dbalias'/);
    assert.doesNotMatch(ok(await inApp('cat /etc/hosts')), /dbalias/);
    const env = ok(await d.docker(['run', '--rm', '--network', 'nd-link', '--link', 'nd-db:dbalias', 'busybox', 'env']));
    assert.doesNotMatch(env, /DBALIAS_/);
    const insp = JSON.parse(ok(await d.docker(['inspect', 'nd-app'])))[0];
    assert.deepEqual(insp.HostConfig.Links, ['nd-db:dbalias']);
    assert.deepEqual(insp.NetworkSettings.Networks['nd-link'].Links, ['nd-db:dbalias']);

    // network connect --link, from a container on the default bridge
    ok(await d.docker(['run', '-d', '--name', 'nd-late', 'busybox', 'sleep', '300']));
    ok(await d.docker(['network', 'connect', '--link', 'nd-db:late-db', 'nd-link', 'nd-late']));
    // (nd-late keeps the resolv.conf of its start on the default bridge: ask nd-link's embedded DNS itself)
    const inLate = (cmd: string): Promise<RunResult> => d.docker(['run', '--rm', '--network', 'container:nd-late', 'busybox', 'sh', '-c', cmd]);
    const late = ok(await answered(inLate, `nslookup late-db 10.${A}.5.1`));
    assert.ok(late.includes(ip), late);
    assert.deepEqual(JSON.parse(ok(await d.docker(['inspect', '-f', '{{json (index .NetworkSettings.Networks "nd-link").Links}}', 'nd-late']))), ['nd-db:late-db']);

    // the alias follows the target when it comes back with another address (nd-squat takes its old one)
    ok(await d.docker(['stop', '-t', '0', 'nd-db']));
    await eventually(async () => !ok(await d.docker(['network', 'inspect', '-f', '{{json .Containers}}', 'nd-link'])).includes(dbId));
    ok(await d.docker(['run', '-d', '--name', 'nd-squat', '--network', 'nd-link', '--ip', ip, 'busybox', 'sleep', '300']));
    // while nd-db is stopped its alias answers nothing (not nd-squat's address)
    await nxdomain(inApp, 'dbalias');
    ok(await d.docker(['start', 'nd-db']));
    const moved = ok(await d.docker(['inspect', '-f', '{{(index .NetworkSettings.Networks "nd-link").IPAddress}}', 'nd-db'])).trim();
    assert.notEqual(moved, ip);
    await resolves(inApp, 'dbalias', moved);
    await nxdomain(inC, 'dbalias');

    // the names go with their linkers: no link file is left in aardvark-dns's configuration
    const aardvarkDir = join(d.execRoot, 'netavark', 'aardvark-dns');
    assert.ok(readdirSync(aardvarkDir).some((f) => f.includes('.lk-')), 'nd-app\'s and nd-late\'s link files');
    ok(await d.docker(['rm', '-f', 'nd-app', 'nd-late', 'nd-squat', 'nd-c']));
    assert.deepEqual(readdirSync(aardvarkDir).filter((f) => f.includes('.lk-')), []);
    ok(await d.docker(['rm', '-f', 'nd-db']));
    ok(await d.docker(['network', 'rm', 'nd-link']));
  });

  test('connect and disconnect on a network already set up wire the veth directly, again and again; a refused connect changes nothing', async () => {
    await net(12, 'nd-w');
    // the first container sets the network up (netavark); later endpoints are berth's own netlink wiring
    const w1 = ok(await d.docker(['run', '-d', '--name', 'nd-w1', '--network', 'nd-w', 'busybox', 'sleep', '300'])).trim();
    const w2 = ok(await d.docker(['run', '-d', '--name', 'nd-w2', 'busybox', 'sleep', '300'])).trim();
    const w1ip = JSON.parse(ok(await d.docker(['inspect', w1])))[0].NetworkSettings.Networks['nd-w'].IPAddress as string;
    const hostEnd = `vb1${w2.slice(0, 12)}`;
    const networksOf = async (): Promise<Record<string, { IPAddress: string }>> => JSON.parse(ok(await d.docker(['inspect', w2])))[0].NetworkSettings.Networks;
    for (let round = 0; round < 2; round++) {
      ok(await d.docker(['network', 'connect', '--alias', 'w2alias', 'nd-w', 'nd-w2']));
      const ip = (await networksOf())['nd-w']!.IPAddress;
      assert.match(ok(await d.docker(['exec', 'nd-w2', 'ip', '-o', '-4', 'addr', 'show', 'eth1'])), new RegExp(`inet ${ip.replace(/\./g, '\\.')}/24`));
      const routes = ok(await d.docker(['exec', 'nd-w2', 'ip', 'route']));
      assert.match(routes, /^default via \S+ dev eth0/m, 'the default route stays the first network\'s');
      assert.doesNotMatch(routes, /default.*eth1/);
      assert.equal(spawnSync('test', ['-e', `/sys/class/net/${bridgeOf(12)}/brif/${hostEnd}`]).status, 0, 'the host end is a port of the bridge');
      ok(await d.docker(['exec', 'nd-w2', 'ping', '-c', '1', '-W', '5', w1ip]));
      let last: RunResult | undefined;
      const named = await eventually(async () => { last = await d.docker(['exec', 'nd-w1', 'nslookup', 'w2alias']); return last.code === 0 && last.stdout; }, 20_000)
        .catch((e: unknown) => { throw new Error(`w2alias does not resolve: ${JSON.stringify(last)}`, { cause: e }); });
      assert.match(named, new RegExp(ip.replace(/\./g, '\\.')));
      ok(await d.docker(['network', 'disconnect', 'nd-w', 'nd-w2']));
      assert.doesNotMatch(ok(await d.docker(['exec', 'nd-w2', 'ip', '-o', 'link'])), /eth1/);
      assert.ok(!links().includes(hostEnd), 'the host end is gone');
      assert.equal((await networksOf())['nd-w'], undefined);
      await eventually(async () => (await d.docker(['exec', 'nd-w1', 'nslookup', 'w2alias'])).code !== 0, 20_000);
    }
    // a refused connect leaves the settings as they were: a restart joins no new network
    const bad = await d.docker(['network', 'connect', '--ip', '10.250.0.9', 'nd-w', 'nd-w2']);
    assert.notEqual(bad.code, 0);
    assert.deepEqual(Object.keys(await networksOf()), ['bridge']);
    ok(await d.docker(['restart', '-t', '0', 'nd-w2']));
    assert.deepEqual(Object.keys(await networksOf()), ['bridge']);
    ok(await d.docker(['rm', '-f', 'nd-w1', 'nd-w2']));
    ok(await d.docker(['network', 'rm', 'nd-w']));
  });

  test('overlapping --subnet, a taken name and the predefined networks are refused with Docker\'s errors', async () => {
    await net(3, 'nd-c');
    const overlap = await d.docker(['network', 'create', '--subnet', `10.${A}.3.128/25`, 'nd-c2']);
    assert.notEqual(overlap.code, 0);
    assert.match(overlap.stderr, /Pool overlaps with other one on this address space/);
    const dup = await d.docker(['network', 'create', '--subnet', subnet(4), 'nd-c']);
    assert.match(dup.stderr, /network with name nd-c already exists/);
    const pre = await d.docker(['network', 'rm', 'bridge']);
    assert.match(pre.stderr, /bridge is a pre-defined network and cannot be removed/);
    const outside = await d.docker(['network', 'create', '--subnet', subnet(5), '--gateway', `10.${A}.6.1`, 'nd-d']);
    assert.notEqual(outside.code, 0);
    const api = await d.api('POST', '/networks/create', { Name: 5, IPAM: 'x' });
    assert.equal(api.status, 400);
    ok(await d.docker(['network', 'rm', 'nd-c']));
    // the same through berth's own CLI
    made.push(8);
    const id = ok(await d.berth(['network', 'create', '--subnet', subnet(8), '-o', `com.docker.network.bridge.name=${bridgeOf(8)}`, '--label', 'k=v', 'nd-berth'])).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.ok(ok(await d.berth(['network', 'ls', '-q', '--no-trunc'])).split('\n').includes(id));
    assert.equal(ok(await d.berth(['network', 'ls', '--filter', 'label=k=v', '--format', '{{.Name}}'])).trim(), 'nd-berth');
    assert.equal(ok(await d.berth(['network', 'inspect', '-f', '{{.Name}} {{(index .IPAM.Config 0).Subnet}}', id.slice(0, 12)])).trim(), `nd-berth ${subnet(8)}`);
    const c = ok(await d.berth(['run', '-d', '--network', 'nd-berth', 'busybox', 'sleep', '60'])).trim();
    ok(await d.berth(['network', 'disconnect', 'nd-berth', c]));
    ok(await d.berth(['rm', '-f', c]));
    assert.equal(ok(await d.berth(['network', 'prune', '-f'])).trim(), 'Deleted Networks:\nnd-berth');
  });

  test('--ip, --ip-range and --aux-address place addresses; --dns and --add-host host-gateway; --hostname and --domainname', async () => {
    await net(7, 'nd-ip', ['--ip-range', `10.${A}.7.64/26`, '--aux-address', `r=10.${A}.7.64`]);
    const fixed = ok(await d.docker(['run', '--rm', '--network', 'nd-ip', '--ip', `10.${A}.7.9`, 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'eth0']));
    assert.match(fixed, new RegExp(`10\\.${A}\\.7\\.9/24`));
    const ranged = ok(await d.docker(['run', '--rm', '--network', 'nd-ip', 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'eth0']));
    assert.match(ranged, new RegExp(`10\\.${A}\\.7\\.65/24`));
    const files = ok(await d.docker(['run', '--rm', '--network', 'nd-ip', '--dns', '9.9.9.9', '--dns-search', 'example.org', '--dns-option', 'ndots:2',
      '--add-host', 'gw:host-gateway', '--hostname', 'h1', '--domainname', 'example.org', 'busybox', 'sh', '-c', 'cat /etc/resolv.conf /etc/hosts; hostname']));
    assert.match(files, /search example\.org/);
    assert.match(files, /options ndots:2/);
    assert.match(files, /ExtServers: \[9\.9\.9\.9\]/);
    assert.match(files, new RegExp(`${d.subnet.replace(/0\/24$/, '1').replace(/\./g, '\\.')}\tgw\n`));
    assert.match(files, /h1\.example\.org h1/);
    // run --rm returns once the container is gone; its endpoint's teardown may still be finishing
    await eventually(async () => (await d.docker(['network', 'rm', 'nd-ip'])).code === 0, 20_000);
  });

  test('--network container:NAME shares the namespace, hosts and resolv.conf; none and host modes', async () => {
    ok(await d.docker(['run', '-d', '--name', 'nd-srv', '--hostname', 'srvhost', 'busybox', 'sh', '-c', 'echo hi > /tmp/i; httpd -p 127.0.0.1:8080 -h /tmp; sleep 300']));
    const out = ok(await d.docker(['run', '--rm', '--network', 'container:nd-srv', 'busybox', 'sh', '-c', 'wget -qO- http://127.0.0.1:8080/i; hostname; cat /etc/hosts']));
    assert.match(out, /^hi\nsrvhost\n/);
    const none = ok(await d.docker(['run', '--rm', '--network', 'none', 'busybox', 'ip', '-o', 'link']));
    assert.deepEqual(none.trim().split('\n').map((l) => l.split(':')[1]!.trim()), ['lo']);
    const refused = await d.docker(['run', '--rm', '--network', 'container:nd-srv', '--hostname', 'x', 'busybox', 'true']);
    assert.match(refused.stderr, /conflicting options: hostname and the network mode/);
    ok(await d.docker(['rm', '-f', 'nd-srv']));
  });

  test('--ipv6 with a v6 subnet gives addresses the containers reach each other on', async () => {
    await net(9, 'nd-v6', ['--ipv6', '--subnet', `fd00:${A}:9::/64`]);
    ok(await d.docker(['run', '-d', '--name', 'nd-v6a', '--network', 'nd-v6', 'busybox', 'sleep', '300']));
    const v6 = ok(await d.docker(['inspect', '-f', '{{(index .NetworkSettings.Networks "nd-v6").GlobalIPv6Address}}', 'nd-v6a'])).trim();
    assert.equal(v6, `fd00:${A}:9::2`);
    const doc = JSON.parse(ok(await d.docker(['network', 'inspect', 'nd-v6'])))[0];
    assert.deepEqual(doc.IPAM.Config.map((c: { Subnet: string }) => c.Subnet), [subnet(9), `fd00:${A}:9::/64`]);
    assert.equal(doc.EnableIPv6, true);
    const ping = await eventually(async () => { const r = await d.docker(['run', '--rm', '--network', 'nd-v6', 'busybox', 'ping', '-6', '-c1', '-W2', v6]); return r.code === 0 && r; }, 20_000);
    assert.match(ping.stdout, /1 packets received/);
    ok(await d.docker(['rm', '-f', 'nd-v6a']));
    await eventually(async () => (await d.docker(['network', 'rm', 'nd-v6'])).code === 0, 20_000);
    const v6rules = spawnSync('ip6tables-save', [], { encoding: 'utf8' }).stdout.split('\n').filter((r) => r.includes(`fd00:${A}:9::`));
    assert.deepEqual(v6rules, []);
  });

  test('network events; a kill -9 of berthd keeps endpoints, leases and names, with no duplicate address after the restart', async () => {
    await net(10, 'nd-r');
    ok(await d.docker(['run', '-d', '--name', 'nd-r1', '--network', 'nd-r', 'busybox', 'sleep', '300']));
    const ip1 = ok(await d.docker(['inspect', '-f', '{{(index .NetworkSettings.Networks "nd-r").IPAddress}}', 'nd-r1'])).trim();
    await d.crash();
    await d.restart();
    // (the event log lives in memory: it starts again with the daemon)
    const t0 = (Date.now() / 1000).toFixed(3);
    ok(await d.docker(['run', '-d', '--name', 'nd-r2', '--network', 'nd-r', 'busybox', 'sleep', '300']));
    const ip2 = ok(await d.docker(['inspect', '-f', '{{(index .NetworkSettings.Networks "nd-r").IPAddress}}', 'nd-r2'])).trim();
    assert.notEqual(ip2, ip1);
    assert.equal(ok(await d.docker(['inspect', '-f', '{{(index .NetworkSettings.Networks "nd-r").IPAddress}}', 'nd-r1'])).trim(), ip1);
    const look = await eventually(async () => { const r = await d.docker(['run', '--rm', '--network', 'nd-r', 'busybox', 'nslookup', 'nd-r1']); return r.code === 0 && r.stdout; }, 20_000);
    assert.ok(look.includes(ip1), look);
    ok(await d.docker(['network', 'connect', 'bridge', 'nd-r1']));
    ok(await d.docker(['network', 'disconnect', 'bridge', 'nd-r1']));
    ok(await d.docker(['rm', '-f', 'nd-r1', 'nd-r2']));
    await eventually(async () => (await d.docker(['network', 'rm', 'nd-r'])).code === 0, 20_000);
    const until = (Date.now() / 1000 + 1).toFixed(3);
    const ev = ok(await d.docker(['events', '--since', t0, '--until', until, '--filter', 'type=network', '--format', '{{.Action}} {{.Actor.Attributes.name}}']));
    const rows = ev.split('\n');
    const at = (row: string): number => rows.indexOf(row);
    assert.ok(at('connect nd-r') >= 0 && at('connect nd-r') < at('connect bridge'), ev);
    assert.ok(at('connect bridge') < at('disconnect bridge') && at('disconnect bridge') < at('destroy nd-r'), ev);
    assert.ok(ev.includes('destroy nd-r'), ev);
  });
});
