import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { eventually, isRoot, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

// serves on the port given (exposed by the tests) and on 8080 (never exposed)
const HTTPD = (port: number): string[] => ['sh', '-c', `mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && httpd -p 8080 -h /www && exec httpd -f -p ${port} -h /www`];

describe('legacy links, on a daemon with --icc=false', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon({ args: ['--icc=false'] });
    await withBusybox(d);
  });
  after(async () => {
    await d?.cleanup();
    // the daemon's own chain (src/network/icc.ts); a daemon keeps it across restarts
    const chain = `BERTH-ICC-${d.bridge}`;
    while (spawnSync('iptables', ['-w', '-D', 'FORWARD', '-i', d.bridge, '-o', d.bridge, '-j', chain]).status === 0) { /* every copy */ }
    spawnSync('iptables', ['-w', '-F', chain]);
    spawnSync('iptables', ['-w', '-X', chain]);
  });

  const ipOf = async (name: string): Promise<string> => ok(await d.berth(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', name])).trim();
  const hostsOf = async (name: string): Promise<string> => readFileSync(ok(await d.berth(['inspect', '-f', '{{.HostsPath}}', name])).trim(), 'utf8');

  test('--link gives the receiver Docker\'s environment variables, /etc/hosts entries and HostConfig.Links', async () => {
    const dbId = ok(await d.docker(['run', '-d', '--name', 'db', '-e', 'PASSWORD=secret', '--expose', '5432', '--expose', '53/udp', 'busybox', ...HTTPD(5432)])).trim();
    const ip = await ipOf('db');
    const env = ok(await d.docker(['run', '--rm', '--name', 'web2', '--link', 'db:db', 'busybox', 'env'])).split('\n');
    for (const line of [
      `DB_PORT=udp://${ip}:53`,
      `DB_PORT_5432_TCP=tcp://${ip}:5432`, `DB_PORT_5432_TCP_ADDR=${ip}`, `DB_PORT_5432_TCP_PORT=5432`, 'DB_PORT_5432_TCP_PROTO=tcp',
      `DB_PORT_53_UDP=udp://${ip}:53`, 'DB_NAME=/web2/db', 'DB_ENV_PASSWORD=secret',
    ]) assert.ok(env.includes(line), `${line} in\n${env.join('\n')}`);
    assert.ok(!env.some((l) => l.startsWith('DB_ENV_PATH=')), 'PATH is not passed on');

    ok(await d.berth(['run', '-d', '--name', 'web', '--link', 'db:my-db', 'busybox', 'sleep', '1000']));
    assert.match(await hostsOf('web'), new RegExp(`^${ip.replace(/\./g, '\\.')}\\tmy-db ${dbId.slice(0, 12)} db$`, 'm'));
    assert.equal(ok(await d.docker(['inspect', '-f', '{{json .HostConfig.Links}}', 'web'])).trim(), '["/db:/web/my-db"]');
    assert.equal(ok(await d.docker(['ps', '--no-trunc', '--filter', 'name=^/db$', '--format', '{{.Names}}'])).trim(), 'db,web/my-db');
    assert.equal(ok(await d.berth(['ps', '--filter', 'name=^/db$', '--format', '{{.Names}}'])).trim(), 'db');
    // a receiver reaches the source by its alias, at the address its environment names
    const reached = ok(await d.berth(['run', '--rm', '--link', 'db:my-db', 'busybox', 'sh', '-c', 'echo $MY_DB_PORT_5432_TCP_ADDR; wget -qO- http://my-db:5432/']));
    assert.equal(reached, `${ip}\nhello from ${dbId.slice(0, 12)}\n`);
  });

  test('the receiver\'s /etc/hosts follows the source when it restarts with a new address', async () => {
    const old = await ipOf('db');
    ok(await d.berth(['stop', '-t', '0', 'db']));
    ok(await d.berth(['run', '-d', '--name', 'squatter', 'busybox', 'sleep', '1000'])); // may take db's old address
    ok(await d.berth(['start', 'db']));
    const fresh = await ipOf('db');
    await eventually(async () => (await hostsOf('web')).includes(`${fresh}\tmy-db `));
    assert.notEqual(fresh, old, 'the squatter took the old address');
    assert.ok(!(await hostsOf('web')).includes(`${old}\tmy-db `));
    ok(await d.berth(['rm', '-f', 'squatter']));
  });

  test('a link to a missing or stopped container is refused', async () => {
    const missing = await d.docker(['run', '-d', '--link', 'nope:x', 'busybox', 'true']);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /could not get container for nope/);
    ok(await d.berth(['create', '--name', 'sleeper', 'busybox', 'true']));
    const stopped = await d.berth(['run', '--rm', '--name', 'recv', '--link', 'sleeper:s', 'busybox', 'true']);
    assert.equal(stopped.code, 125);
    assert.match(stopped.stderr, /Cannot link to a non running container: \/sleeper AS \/recv\/s/);
    const host = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'host', Links: ['db:db'] } });
    assert.equal(host.status, 400);
    assert.match(host.json().message, /host type networking can't be used with links/);
  });

  test('--icc=false blocks traffic between containers except the ports their links open', async () => {
    const ip = await ipOf('db');
    // wget must not be PID 1, which ignores timeout's SIGTERM: sh stays (no exec of a last command)
    const get = (args: string[], port: number) => d.berth(['run', '--rm', ...args, 'busybox', 'sh', '-c', `timeout 3 wget -qO- http://${ip}:${port}/; exit $?`]);
    const unlinked = await get([], 5432);
    assert.notEqual(unlinked.code, 0, `an unlinked container reached db: ${unlinked.stdout}`);
    assert.match(ok(await get(['--link', 'db:db'], 5432)), /hello from/, 'the linked, exposed port is open');
    assert.notEqual((await get(['--link', 'db:db'], 8080)).code, 0, 'a port db does not expose stays closed');
    const chain = (): string => spawnSync('iptables', ['-w', '-S', `BERTH-ICC-${d.bridge}`], { encoding: 'utf8' }).stdout;
    assert.match(chain(), /-j DROP$/m);
    // web's link is the only one left running: its rules, and (once the --rm receivers are gone) no one else's
    const webId = ok(await d.berth(['inspect', '-f', '{{.Id}}', 'web'])).trim().slice(0, 12);
    await eventually(() => {
      const linkRules = chain().split('\n').filter((l) => l.includes('berth-link:'));
      return linkRules.length > 0 && linkRules.every((l) => l.includes(`berth-link:${webId}`));
    });
    ok(await d.berth(['rm', '-f', 'web']));
    assert.doesNotMatch(chain(), /berth-link:/);
  });
});
