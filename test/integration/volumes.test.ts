import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DOCKER, eventually, isRoot, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';

const skip = !isRoot() && 'needs root';

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

describe('volumes, bind mounts and tmpfs', { skip }, () => {
  let d: TestDaemon;
  let host: string;
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
    host = join(d.dir, 'host');
    mkdirSync(host);
    // An image whose VOLUME /data holds files, owners and modes (for copy-up).
    ok(await d.docker(['run', '--name', 'seedsrc', 'busybox', 'sh', '-c',
      'mkdir -p /data/sub && echo one > /data/one && chown 1000:2000 /data/one && chmod 640 /data/one && ln -s one /data/link && chmod 1777 /data/sub && chown 7:7 /data']));
    const exported = spawnSync('sh', ['-c', `${DOCKER} -H ${d.host} export seedsrc | ${DOCKER} -H ${d.host} import -c 'VOLUME /data' -c 'CMD ["sh"]' - withvol`], { encoding: 'utf8' });
    assert.equal(exported.status, 0, exported.stderr);
    ok(await d.docker(['rm', 'seedsrc']));
  });
  after(async () => { await d?.cleanup(); });

  test('volume create, ls, inspect and rm speak Docker through both CLIs', async () => {
    assert.equal(ok(await d.berth(['volume', 'create', '--label', 'tier=db', 'my-vol'])), 'my-vol\n');
    assert.equal(ok(await d.docker(['volume', 'create', 'other-vol'])), 'other-vol\n');
    assert.equal(ok(await d.docker(['volume', 'create', 'my-vol'])), 'my-vol\n', 'creating an existing volume returns it');
    for (const cli of ['berth', 'docker'] as const) {
      const ls = ok(await d[cli](['volume', 'ls']));
      assert.match(ls, /^DRIVER\s+VOLUME NAME\nlocal\s+my-vol\nlocal\s+other-vol\n$/m);
      assert.equal(ok(await d[cli](['volume', 'ls', '-q', '--filter', 'label=tier=db'])), 'my-vol\n');
      assert.equal(ok(await d[cli](['volume', 'ls', '-q', '--filter', 'name=other', '--filter', 'driver=local'])), 'other-vol\n');
      assert.equal(ok(await d[cli](['volume', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}}', '--filter', 'name=my-vol'])), 'my-vol local local\n');
      const [v] = JSON.parse(ok(await d[cli](['volume', 'inspect', 'my-vol'])));
      assert.equal(v.Name, 'my-vol');
      assert.equal(v.Driver, 'local');
      assert.equal(v.Scope, 'local');
      assert.deepEqual(v.Labels, { tier: 'db' });
      assert.equal(v.Mountpoint, join(d.dataRoot, 'volumes', 'my-vol', '_data'));
      assert.match(v.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(ok(await d[cli](['volume', 'inspect', '-f', '{{.Mountpoint}}', 'other-vol'])).trim(), join(d.dataRoot, 'volumes', 'other-vol', '_data'));
    }
    const missing = await d.docker(['volume', 'inspect', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no such volume/);
    assert.equal(ok(await d.docker(['volume', 'rm', 'other-vol'])), 'other-vol\n');
    assert.equal(existsSync(join(d.dataRoot, 'volumes', 'other-vol')), false);
    const rm = await d.berth(['volume', 'rm', 'other-vol']);
    assert.equal(rm.code, 1);
    assert.match(rm.stderr, /get other-vol: no such volume/);
    ok(await d.docker(['volume', 'rm', '-f', 'other-vol']));
  });

  test('a volume named ../x, with a slash or of one character is refused and nothing is made', async () => {
    for (const name of ['../x', 'a/b', 'x']) {
      const r = await d.docker(['volume', 'create', name]);
      assert.equal(r.code, 1, name);
      assert.match(r.stderr, /includes invalid characters for a local volume name, only "\[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]" are allowed/);
    }
    const viaApi = await d.api('POST', '/containers/create', { Image: 'busybox', HostConfig: { Binds: ['../x:/data'] } });
    assert.equal(viaApi.status, 400, viaApi.body);
    const r = await d.docker(['run', '--rm', '-v', 'a/b:/data', 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.deepEqual(readdirSync(join(d.dataRoot, 'volumes')).filter((n) => !['my-vol'].includes(n) && n.length < 64), []);
    assert.equal(existsSync(join(d.dataRoot, 'x')), false);
    const bad = await d.api('POST', '/volumes/create', { Name: 5 });
    assert.equal(bad.status, 400, bad.body);
  });

  test('data written through one container is seen by another at once, and ro refuses writes even for root', async () => {
    const reader = ok(await d.docker(['run', '-d', '-v', 'shared:/s', 'busybox', 'sh', '-c', 'while [ ! -f /s/go ]; do sleep 0.02; done; cat /s/go'])).trim();
    ok(await d.berth(['run', '--rm', '-v', 'shared:/s', 'busybox', 'sh', '-c', 'echo hello > /s/go']));
    assert.equal(ok(await d.docker(['wait', reader])).trim(), '0');
    assert.equal(ok(await d.docker(['logs', reader])), 'hello\n');
    ok(await d.docker(['rm', reader]));
    for (const cli of ['berth', 'docker'] as const) {
      const r = await d[cli](['run', '--rm', '-v', 'shared:/s:ro', 'busybox', 'sh', '-c', 'cat /s/go; id -u; echo x > /s/new']);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, 'hello\n0\n');
      assert.match(r.stderr, /Read-only file system/);
      const m = await d[cli](['run', '--rm', '--mount', 'source=shared,target=/s,readonly', 'busybox', 'touch', '/s/new']);
      assert.match(m.stderr, /Read-only file system/);
    }
    assert.equal(existsSync(join(d.dataRoot, 'volumes', 'shared', '_data', 'new')), false);
  });

  test('a read-only bind is read-only all the way down, a submount included', async () => {
    const src = join(host, 'rosrc');
    mkdirSync(join(src, 'sub'), { recursive: true });
    assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', join(src, 'sub')]).status, 0);
    try {
      const r = await d.docker(['run', '--rm', '-v', `${src}:/x:ro`, 'busybox', 'sh', '-c', 'touch /x/sub/f; touch /x/f']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.match(/Read-only file system/g)?.length, 2, r.stderr);
      assert.deepEqual(readdirSync(join(src, 'sub')), []);
    } finally {
      spawnSync('umount', ['-l', join(src, 'sub')]);
    }
  });

  test('binds: a missing -v directory is made, a missing --mount source is an error, a file binds onto a file', async () => {
    const made = join(host, 'made', 'deep');
    ok(await d.docker(['run', '--rm', '-v', `${made}:/m`, 'busybox', 'sh', '-c', 'echo in > /m/f']));
    assert.equal(readFileSync(join(made, 'f'), 'utf8'), 'in\n');
    const missing = join(host, 'never');
    const r = await d.docker(['run', '--rm', '--mount', `type=bind,source=${missing},target=/m`, 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, new RegExp(`invalid mount config for type "bind": bind source path does not exist: ${missing}`));
    assert.equal(existsSync(missing), false);
    const file = join(host, 'history');
    writeFileSync(file, 'ls -l\n');
    assert.equal(ok(await d.berth(['run', '--rm', '-v', `${file}:/root/.history:ro`, 'busybox', 'cat', '/root/.history'])), 'ls -l\n');
    assert.equal(ok(await d.docker(['run', '--rm', '--mount', `type=bind,source=${file},target=/h`, 'busybox', 'sh', '-c', 'echo pwd >> /h; cat /h'])), 'ls -l\npwd\n');
  });

  test('a bind of a symlink mounts its target as Docker does; a symlink inside never reaches outside the source', async () => {
    const target = join(host, 'target');
    const outside = join(host, 'outside');
    mkdirSync(target);
    mkdirSync(outside);
    writeFileSync(join(target, 'marker'), 'target\n');
    symlinkSync(target, join(host, 'link'));
    // inside the source, an absolute link to a host directory and a relative one climbing out
    symlinkSync(outside, join(target, 'abs'));
    symlinkSync('../outside', join(target, 'rel'));
    const r = await d.docker(['run', '--rm', '-v', `${join(host, 'link')}:/data`, 'busybox', 'sh', '-c',
      'cat /data/marker; mkdir -p /tmp/x; echo a > /data/abs/escaped; echo b > /data/rel/escaped; echo c > /data/written']);
    assert.equal(r.stdout, 'target\n', r.stderr);
    assert.deepEqual(readdirSync(outside), [], 'nothing written outside the named source');
    assert.equal(readFileSync(join(target, 'written'), 'utf8'), 'c\n');
  });

  test('propagation, tmpfs options and Mounts in inspect with Docker\'s fields', async () => {
    const src = join(host, 'prop');
    mkdirSync(src);
    ok(await d.docker(['create', '--name', 'mounts', '-v', `${src}:/p:ro,rslave`, '-v', 'named:/n', '-v', '/anon',
      '--mount', 'type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770', '--tmpfs', '/run:size=64k,mode=1777', 'busybox',
      'sh', '-c', 'grep -E " /(p|t|run) " /proc/self/mountinfo; stat -c %a /t /run']));
    const [c] = JSON.parse(ok(await d.docker(['inspect', 'mounts'])));
    const byDest = Object.fromEntries(c.Mounts.map((m: { Destination: string }) => [m.Destination, m]));
    assert.deepEqual(Object.keys(byDest).sort(), ['/anon', '/n', '/p', '/t']);
    assert.deepEqual(byDest['/p'], { Type: 'bind', Source: src, Destination: '/p', Mode: 'ro,rslave', RW: false, Propagation: 'rslave' });
    assert.deepEqual(byDest['/n'], { Type: 'volume', Name: 'named', Source: join(d.dataRoot, 'volumes', 'named', '_data'), Destination: '/n', Driver: 'local', Mode: 'z', RW: true, Propagation: '' });
    assert.equal(byDest['/anon'].Type, 'volume');
    assert.match(byDest['/anon'].Name, /^[0-9a-f]{64}$/);
    assert.deepEqual(byDest['/t'], { Type: 'tmpfs', Source: '', Destination: '/t', Mode: '', RW: true, Propagation: '' });
    ok(await d.docker(['start', 'mounts']));
    assert.equal(ok(await d.docker(['wait', 'mounts'])).trim(), '0');
    const out = ok(await d.docker(['logs', 'mounts']));
    assert.match(out, / \/p ro,[^ ]*( \S+:\S+)* - /, out);
    assert.match(out, /^1770\n1777\n$/m);
    assert.match(out, /size=1024k/);
    assert.match(out, /size=64k/);
    ok(await d.docker(['rm', '-v', 'mounts']));
  });

  test('copy-up fills an empty volume from the image with owners and modes, not a bind and not with nocopy', async () => {
    const r = ok(await d.docker(['run', '--rm', '-v', 'copied:/data', 'withvol', 'sh', '-c', 'ls -ln /data; stat -c "%a %u:%g" /data /data/sub; cat /data/link']));
    assert.match(r, /-rw-r-----\s+1 1000\s+2000\s+4 .* one/);
    assert.match(r, /one\n$/);
    assert.match(r, /^755 7:7\n1777 0:0\n/m);
    const empty = join(host, 'emptybind');
    mkdirSync(empty);
    ok(await d.docker(['run', '--rm', '-v', `${empty}:/data`, 'withvol', 'true']));
    assert.deepEqual(readdirSync(empty), []);
    assert.equal(ok(await d.docker(['run', '--rm', '-v', 'nocopied:/data:nocopy', 'withvol', 'ls', '-A', '/data'])), '');
    // a volume that is not empty is left as it is
    ok(await d.docker(['run', '--rm', '-v', 'kept:/k', 'busybox', 'touch', '/k/mine']));
    assert.equal(ok(await d.docker(['run', '--rm', '-v', 'kept:/data', 'withvol', 'ls', '/data'])), 'mine\n');
  });

  test('VOLUME in the image makes anonymous volumes; rm -v and run --rm remove them and keep named ones', async () => {
    const before = new Set(ok(await d.docker(['volume', 'ls', '-q'])).split('\n'));
    const id = ok(await d.docker(['create', '-v', 'keepme:/keep', 'withvol', 'true'])).trim();
    const [c] = JSON.parse(ok(await d.docker(['inspect', id])));
    const anon = c.Mounts.find((m: { Destination: string }) => m.Destination === '/data').Name as string;
    assert.match(anon, /^[0-9a-f]{64}$/);
    const [v] = JSON.parse(ok(await d.docker(['volume', 'inspect', anon])));
    assert.deepEqual(v.Labels, { 'com.docker.volume.anonymous': '' });
    ok(await d.docker(['rm', '-v', id]));
    const after = ok(await d.docker(['volume', 'ls', '-q'])).split('\n');
    assert.ok(after.includes('keepme'));
    assert.ok(!after.includes(anon));
    ok(await d.berth(['run', '--rm', 'withvol', 'ls', '/data']));
    ok(await d.docker(['run', '--rm', '-v', '/scratch', 'busybox', 'true']));
    await eventually(async () => {
      const now = ok(await d.docker(['volume', 'ls', '-q'])).split('\n').filter((n) => !before.has(n));
      return now.length === 1 && now[0] === 'keepme';
    });
  });

  test('removing a volume in use gives Docker\'s conflict and keeps the data; prune takes only unused anonymous volumes', async () => {
    const id = ok(await d.docker(['create', '-v', 'busy:/b', 'busybox', 'true'])).trim();
    ok(await d.docker(['run', '--rm', '-v', 'busy:/b', 'busybox', 'sh', '-c', 'echo keep > /b/f']));
    for (const cli of ['berth', 'docker'] as const) {
      const r = await d[cli](['volume', 'rm', 'busy']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`remove busy: volume is in use - \\[${id}\\]`));
    }
    const api = await d.api('DELETE', '/volumes/busy?force=1');
    assert.equal(api.status, 409);
    assert.equal(readFileSync(join(d.dataRoot, 'volumes', 'busy', '_data', 'f'), 'utf8'), 'keep\n');
    assert.equal(ok(await d.docker(['volume', 'ls', '-q', '--filter', 'dangling=false', '--filter', 'name=busy'])), 'busy\n');
    ok(await d.docker(['create', '-v', '/anon-kept', 'busybox', 'true']));
    const lone = ok(await d.docker(['run', '-d', '-v', '/anon-gone', 'busybox', 'true'])).trim();
    ok(await d.docker(['wait', lone]));
    ok(await d.docker(['rm', lone]));
    const dangling = ok(await d.docker(['volume', 'ls', '-q', '--filter', 'dangling=true'])).split('\n').filter(Boolean);
    const pruned = ok(await d.docker(['volume', 'prune', '-f']));
    assert.match(pruned, /^Deleted Volumes:\n[0-9a-f]{64}\n\nTotal reclaimed space: /);
    const left = ok(await d.docker(['volume', 'ls', '-q'])).split('\n');
    assert.ok(left.includes('busy') && left.includes('my-vol'), 'named and used volumes stay');
    assert.ok(dangling.includes('my-vol'));
    ok(await d.docker(['rm', id]));
    const all = ok(await d.berth(['volume', 'prune', '-a', '-f', '--filter', 'label=tier=db']));
    assert.match(all, /Deleted Volumes:\nmy-vol\n/);
  });

  test('the local driver\'s options mount a tmpfs or a host directory while a container uses the volume', async () => {
    ok(await d.docker(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=1m', 'tv']));
    const [v] = JSON.parse(ok(await d.docker(['volume', 'inspect', 'tv'])));
    assert.deepEqual(v.Options, { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' });
    const df = ok(await d.docker(['run', '--rm', '-v', 'tv:/t', 'busybox', 'sh', '-c', 'grep " /t " /proc/mounts']));
    assert.match(df, /^tmpfs \/t tmpfs .*size=1024k/);
    assert.equal(readFileSync('/proc/self/mounts', 'utf8').includes(v.Mountpoint), false, 'unmounted after the last user');
    const dir = join(host, 'device');
    mkdirSync(dir);
    ok(await d.berth(['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${dir}`, 'bv']));
    ok(await d.docker(['run', '--rm', '-v', 'bv:/b', 'busybox', 'sh', '-c', 'echo through > /b/f']));
    assert.equal(readFileSync(join(dir, 'f'), 'utf8'), 'through\n');
    ok(await d.docker(['volume', 'rm', 'tv', 'bv']));
    assert.equal(readFileSync(join(dir, 'f'), 'utf8'), 'through\n', 'removing the volume leaves the bound directory');
    const bad = await d.docker(['volume', 'create', '-o', 'bogus=1', 'badopt']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid option key: "bogus"/);
  });

  test('volume events: create, mount, unmount, destroy', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    ok(await d.docker(['volume', 'create', 'evvol']));
    ok(await d.docker(['run', '--rm', '-v', 'evvol:/e', 'busybox', 'true']));
    ok(await d.docker(['volume', 'rm', 'evvol']));
    const until = Math.floor(Date.now() / 1000) + 1;
    const r = ok(await d.docker(['events', '--since', String(since), '--until', String(until), '--filter', 'type=volume', '--format', '{{.Action}} {{.Actor.ID}} {{index .Actor.Attributes "driver"}}']));
    assert.deepEqual(r.trim().split('\n').filter((l) => l.includes('evvol')), ['create evvol local', 'mount evvol local', 'unmount evvol local', 'destroy evvol local']);
  });

  test('the seed\'s backup, restore and migrate workflow through --volumes-from', async () => {
    const cwd = join(host, 'backup');
    mkdirSync(cwd);
    ok(await d.docker(['run', '-d', '-v', '/dbdata', '--name', 'dbdata', 'busybox', 'echo', 'Data-only container']));
    ok(await d.docker(['run', '--rm', '--volumes-from', 'dbdata', 'busybox', 'sh', '-c', 'echo precious > /dbdata/db.txt']));
    // chained: db1 takes dbdata's volumes, db2 takes db1's, read-only
    ok(await d.docker(['create', '--volumes-from', 'dbdata', '--name', 'db1', 'busybox', 'true']));
    const ro = await d.docker(['run', '--rm', '--volumes-from', 'db1:ro', 'busybox', 'sh', '-c', 'cat /dbdata/db.txt; touch /dbdata/x']);
    assert.equal(ro.stdout, 'precious\n');
    assert.match(ro.stderr, /Read-only file system/);
    const tar = await d.docker(['run', '--rm', '--volumes-from', 'dbdata', '-v', `${cwd}:/backup`, 'busybox', 'tar', 'cvf', '/backup/backup.tar', '/dbdata']);
    assert.equal(tar.code, 0, tar.stderr);
    assert.ok(existsSync(join(cwd, 'backup.tar')));
    ok(await d.docker(['run', '-v', '/dbdata', '--name', 'dbdata2', 'busybox', '/bin/sh']));
    ok(await d.berth(['run', '--rm', '--volumes-from', 'dbdata2', '-v', `${cwd}:/backup`, 'busybox', 'tar', 'xvf', '/backup/backup.tar']));
    assert.equal(ok(await d.docker(['run', '--rm', '--volumes-from', 'dbdata2', 'busybox', '/bin/ls', '/dbdata'])), 'db.txt\n');
    assert.equal(ok(await d.docker(['run', '--rm', '--volumes-from', 'dbdata2', 'busybox', 'cat', '/dbdata/db.txt'])), 'precious\n');
    // removing the users keeps the volume until rm -v of the last one
    const [c] = JSON.parse(ok(await d.docker(['inspect', 'dbdata'])));
    const vol = c.Mounts[0].Name as string;
    ok(await d.docker(['rm', '-v', 'db1']));
    assert.ok(ok(await d.docker(['volume', 'ls', '-q'])).split('\n').includes(vol), 'still used by dbdata');
    ok(await d.docker(['rm', '-v', 'dbdata', 'dbdata2']));
    assert.ok(!ok(await d.docker(['volume', 'ls', '-q'])).split('\n').includes(vol));
  });

  test('volumes and their data survive a daemon restart', async () => {
    ok(await d.docker(['run', '--rm', '-v', 'durable:/d', 'busybox', 'sh', '-c', 'echo still > /d/f']));
    await d.stop();
    await d.restart();
    assert.ok(ok(await d.docker(['volume', 'ls', '-q'])).split('\n').includes('durable'));
    assert.equal(ok(await d.docker(['run', '--rm', '-v', 'durable:/d', 'busybox', 'cat', '/d/f'])), 'still\n');
  });

  test('kill -9 of berthd during the copy-up of a large directory leaves the volume complete or empty', async () => {
    // An image of one large directory (no command: the copy-up comes before the runtime is asked).
    const tree = join(host, 'bigtree', 'big');
    mkdirSync(tree, { recursive: true });
    for (let i = 0; i < 2500; i++) writeFileSync(join(tree, `f${i}`), `${i}\n`.padEnd(16384, '.'));
    const imported = spawnSync('sh', ['-c', `tar -C ${join(host, 'bigtree')} -c big | ${DOCKER} -H ${d.host} import -c 'VOLUME /big' - bigvol`], { encoding: 'utf8' });
    assert.equal(imported.status, 0, imported.stderr);
    void d.docker(['create', '--name', 'copier', '-v', 'bigv:/big', 'bigvol', 'true']).then(() => d.docker(['start', 'copier']));
    const staging = join(d.dataRoot, 'volumes', 'bigv', '_copyup');
    await eventually(() => existsSync(staging), 20_000);
    await d.crash();
    await d.restart();
    const data = join(d.dataRoot, 'volumes', 'bigv', '_data');
    const n = existsSync(data) ? readdirSync(data).length : 0;
    assert.ok(n === 0 || n === 2500, `volume holds ${n} of 2500 files`);
    assert.equal(existsSync(staging), false, 'the staging copy is swept at start');
    // the next start copies it whole
    await d.docker(['rm', '-f', 'copier']);
    ok(await d.docker(['create', '--name', 'copier2', '-v', 'bigv:/big', 'bigvol', 'true']));
    await d.docker(['start', 'copier2']);
    assert.equal(ok(await d.docker(['run', '--rm', '-v', 'bigv:/big', 'busybox', 'sh', '-c', 'ls /big | wc -l; head -1 /big/f2499'])), '2500\n2499\n');
    ok(await d.docker(['rm', '-f', 'copier2']));
  });
});
