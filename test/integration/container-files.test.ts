import assert from 'node:assert/strict';
import { chown, mkdir, mkdtemp, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildHostileTar, HOSTILE_CASES, makeSentinel, recordTree } from '../../src/image/archive/hostile-fixtures.js';
import { dir, file, symlinkEntry, tarBuffer } from '../../src/image/archive/tar-fixtures.js';
import { readTar } from '../../src/image/archive/tar-reader.js';
import { eventually, isRoot, startDaemon, withBusybox, type TestDaemon } from './harness.js';

/*
 * docker cp, diff and commit against a berthd of its own, through the real docker CLI and
 * berth's: copies both ways on running and stopped containers, Docker's path rules, the stat
 * header, hostile archives put into containers (and containers whose own tree holds symlinks
 * out) never writing outside, diff's A/C/D, and a committed image that runs.
 */

function put(sock: string, path: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((res, rej) => {
    const req = request({ socketPath: sock, method: 'PUT', path, headers: { 'Content-Type': 'application/x-tar', 'Content-Length': body.length } }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    // a refusal may come before the whole body is sent: the answer still arrives
    req.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') rej(e); });
    req.end(body);
  });
}

async function tarNames(buf: Buffer): Promise<string[]> {
  const names: string[] = [];
  for await (const e of readTar((async function* () { yield buf; })())) {
    names.push(e.header.type === 'symlink' ? `${e.header.name} -> ${e.header.linkname}` : e.header.name);
    for await (const _ of e.body()) { /* drain */ }
  }
  return names;
}

function statHeader(h: string | string[] | undefined): { name: string; size: number; mode: number; mtime: string; linkTarget: string } {
  assert.equal(typeof h, 'string', 'X-Docker-Container-Path-Stat is sent');
  return JSON.parse(Buffer.from(h as string, 'base64').toString()) as ReturnType<typeof statHeader>;
}

describe('cp, diff and commit', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  let local: string;
  const ok = async (p: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> => {
    const r = await p;
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
    local = await mkdtemp(join(d.dir, 'local-'));
    await ok(d.docker(['run', '-d', '--name', 'live', 'busybox', 'sh', '-c',
      'mkdir -p /data/sub /t/dir && echo x > /data/sub/f && echo hi > /tmp/hello && ln -s /data /dlink && rm /etc/group && echo 1.2.3.4 x >> /etc/hosts && touch /ready && exec sleep 1000']));
    for (;;) {
      const r = await d.api('HEAD', '/containers/live/archive?path=/ready');
      if (r.status === 200) break;
      await new Promise((r2) => setTimeout(r2, 25));
    }
    await ok(d.docker(['create', '--name', 'stopped', 'busybox', 'true']));
  });
  after(async () => { await d?.cleanup(); });

  test('diff lists A, C and D lines through both CLIs and the API, without the engine files', async () => {
    const want = ['C /etc', 'D /etc/group', 'A /data', 'A /data/sub', 'A /data/sub/f', 'A /dlink', 'A /ready', 'A /t', 'A /t/dir', 'C /tmp', 'A /tmp/hello'];
    for (const cli of [d.docker, d.berth]) {
      const lines = (await ok(cli(['diff', 'live']))).trim().split('\n');
      assert.deepEqual([...lines].sort(), [...want].sort());
    }
    const r = await d.api('GET', '/containers/live/changes');
    assert.equal(r.status, 200);
    const kinds = new Map((r.json() as Array<{ Path: string; Kind: number }>).map((c) => [c.Path, c.Kind]));
    assert.equal(kinds.get('/etc'), 0);
    assert.equal(kinds.get('/tmp/hello'), 1);
    assert.equal(kinds.get('/etc/group'), 2);
    assert.equal((await d.api('GET', '/containers/stopped/changes')).body.trim(), 'null');
    assert.equal((await d.docker(['diff', 'nope'])).stderr.trim(), 'Error response from daemon: No such container: nope');
  });

  test('HEAD archive: the stat header as Docker encodes it, and 404 for a missing path', async () => {
    const r = await d.api('HEAD', '/containers/live/archive?path=/tmp/hello');
    assert.equal(r.status, 200);
    const s = statHeader(r.headers['x-docker-container-path-stat']);
    assert.equal(s.name, 'hello');
    assert.equal(s.size, 3);
    assert.equal(s.mode, 0o644);
    assert.match(s.mtime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const dirStat = statHeader((await d.api('HEAD', '/containers/live/archive?path=/data')).headers['x-docker-container-path-stat']);
    assert.equal(dirStat.mode, 2 ** 31 + 0o755);
    const link = statHeader((await d.api('HEAD', '/containers/live/archive?path=/dlink')).headers['x-docker-container-path-stat']);
    assert.equal(link.mode, 2 ** 27 + 0o777);
    assert.equal(link.linkTarget, '/data');
    assert.equal((await d.api('HEAD', '/containers/live/archive?path=/nope')).status, 404);
    const g = await d.api('GET', '/containers/live/archive?path=/nope');
    assert.equal(g.status, 404);
    assert.equal(g.json().message, 'Could not find the file /nope in container live');
    assert.equal((await d.api('GET', '/containers/live/archive')).json().message, 'no path specified');
  });

  test('cp out of a running container: files, directories, "/." and -L, with both CLIs', async () => {
    for (const [i, cli] of [d.docker, d.berth].entries()) {
      const out = join(local, `out${i}`);
      await mkdir(out);
      await ok(cli(['cp', 'live:/tmp/hello', `${out}/`]));
      assert.equal(await readFile(join(out, 'hello'), 'utf8'), 'hi\n');
      await ok(cli(['cp', 'live:/tmp/hello', join(out, 'renamed')]));
      assert.equal(await readFile(join(out, 'renamed'), 'utf8'), 'hi\n');
      await ok(cli(['cp', 'live:/data', join(out, 'd')]));
      assert.equal(await readFile(join(out, 'd/sub/f'), 'utf8'), 'x\n');
      await ok(cli(['cp', 'live:/data/.', join(out, 'contents')]));
      assert.equal(await readFile(join(out, 'contents/sub/f'), 'utf8'), 'x\n');
      await ok(cli(['cp', 'live:/dlink', join(out, 'link')]));
      assert.equal(await readlink(join(out, 'link')), '/data');
      await ok(cli(['cp', '-L', 'live:/dlink', join(out, 'followed')]));
      assert.equal(await readFile(join(out, 'followed/sub/f'), 'utf8'), 'x\n');
      const errs = await Promise.all([
        cli(['cp', 'live:/data', join(out, 'renamed')]), cli(['cp', 'live:/tmp/hello', join(out, 'nodir/')]), cli(['cp', 'live:/nope', out]),
      ]);
      assert.deepEqual(errs.map((e) => e.stderr.trim()), ['cannot copy directory', 'no such directory', 'Error response from daemon: Could not find the file /nope in container live']);
    }
  });

  test('cp into a running container: file, renamed, directory, "/.", symlink, -L, and a tar on stdin', async () => {
    const src = join(local, 'src');
    await mkdir(join(src, 'dir/sub'), { recursive: true });
    await writeFile(join(src, 'dir/a'), 'A');
    await writeFile(join(src, 'dir/sub/b'), 'B');
    await writeFile(join(src, 'file'), 'F');
    for (const [i, cli] of [d.docker, d.berth].entries()) {
      const t = `/t/dir/c${i}`;
      await ok(d.docker(['cp', join(src, 'dir/sub'), `live:${t}`]));
      await ok(cli(['cp', join(src, 'file'), `live:${t}/`]));
      await ok(cli(['cp', join(src, 'file'), `live:${t}/renamed`]));
      await ok(cli(['cp', join(src, 'dir'), `live:${t}/`]));
      await ok(cli(['cp', join(src, 'dir/.'), `live:${t}/dot`]));
      const tar = await tarBuffer([file('stdin-file', 'S')]);
      await ok(cli(['cp', '-', `live:${t}`], { input: tar }));
      const names = await tarNames(Buffer.from((await d.api('GET', `/containers/live/archive?path=${t}`)).body, 'latin1'));
      assert.deepEqual(names.sort(), [`c${i}/`, `c${i}/b`, `c${i}/dir/`, `c${i}/dir/a`, `c${i}/dir/sub/`, `c${i}/dir/sub/b`, `c${i}/dot/`, `c${i}/dot/a`, `c${i}/dot/sub/`, `c${i}/dot/sub/b`, `c${i}/file`, `c${i}/renamed`, `c${i}/stdin-file`].sort());
      const r = await cli(['cp', '-', `live:${t}/file`], { input: tar });
      assert.equal(r.stderr.trim(), `destination "live:${t}/file" must be a directory`);
    }
    const ev = (await d.api('GET', `/events?since=0&until=${Math.floor(Date.now() / 1000) + 1}&filters=${encodeURIComponent('{"event":["extract-to-dir","archive-path"]}')}`)).body;
    const actions = new Set(ev.trim().split('\n').map((l) => { const e = JSON.parse(l); return `${e.Action} ${e.Actor.Attributes.name}`; }));
    assert.deepEqual([...actions].sort(), ['archive-path live', 'extract-to-dir live'], 'cp publishes Docker\'s events');
  });

  test('cp on a stopped container mounts its rootfs for the call, and -a keeps ownership', async () => {
    const src = join(local, 'owned');
    await writeFile(src, 'owned');
    await chown(src, 1234, 4321);
    await ok(d.berth(['cp', src, 'stopped:/tmp/']));
    await ok(d.docker(['cp', '-a', src, 'stopped:/tmp/kept']));
    const tar = Buffer.from((await d.api('GET', '/containers/stopped/archive?path=/tmp')).body, 'latin1');
    const owners = new Map<string, string>();
    for await (const e of readTar((async function* () { yield tar; })())) {
      owners.set(e.header.name, `${e.header.uid}:${e.header.gid}`);
      for await (const _ of e.body()) { /* drain */ }
    }
    assert.equal(owners.get('tmp/owned'), '1234:4321', 'the archive\'s owner is kept (the local file\'s)');
    assert.equal(owners.get('tmp/kept'), '1234:4321', 'no User set: -a keeps the archive\'s owner');
    const out = join(local, 'from-stopped');
    await ok(d.berth(['cp', 'stopped:/tmp/owned', out]));
    assert.equal((await stat(out)).uid, 0, 'copied out without -a: owned by the user running cp');
    const merged = join(d.dataRoot, 'containers', (await d.api('GET', '/containers/stopped/json')).json().Id, 'merged');
    await eventually(async () => !(await readFile('/proc/self/mountinfo', 'utf8')).includes(merged));
  });

  test('hostile archives put into a container never write outside it, and the daemon keeps serving', async () => {
    const out = join(d.dir, 'sentinel');
    await makeSentinel(out);
    const skip = new Set(['data', 'exec', 'berthd.log', 'berth.sock', 'berthd.pid', 'docker-config', local.slice(d.dir.length + 1)]);
    const before_ = await recordTree(d.dir, skip);
    for (const [target, into] of [['live', '/t'], ['stopped', '/root']] as const) {
      for (const [i, c] of HOSTILE_CASES.entries()) {
        // the bombs once is enough (the stopped container's copy goes through the same code)
        if (target === 'stopped' && /^(size|entry count):/.test(c.name)) continue;
        const tar = await buildHostileTar(c, out);
        const r = await put(d.sock, `/containers/${target}/archive?path=${into}&noOverwriteDirNonDir=${i % 2 ? 'true' : 'false'}`, tar);
        assert.ok(r.status === 200 || r.status === 400, `${target}, ${c.name}: status ${r.status} ${r.text}`);
        if (r.status === 400) assert.doesNotMatch(r.text, /node:|at .*\.js:\d+|TypeError|ERR_/, `${c.name}: no Node internals`);
        assert.equal((await d.api('GET', '/_ping')).status, 200, `${c.name}: the daemon serves`);
      }
      assert.deepEqual(await recordTree(d.dir, skip), before_, `${target}: nothing outside the containers changed`);
    }
  });

  test('symlinks a container plants in its own tree lead a cp nowhere outside its root', async () => {
    const out = join(d.dir, 'planted');
    await makeSentinel(out);
    const busybox = await readFile('/bin/busybox');
    const image = await tarBuffer([
      dir('bin/'), file('bin/busybox', busybox, { mode: 0o755 }), dir('tmp/'), dir('etc/'),
      symlinkEntry('abs', out), symlinkEntry('rel', `../../../../../../../../..${out}`), symlinkEntry('victim', `${out}/victim`),
      symlinkEntry('proc-root', `/proc/1/root${out}`),
    ]);
    await ok(d.docker(['import', '-', 'planted'], { input: image }));
    await ok(d.docker(['create', '--name', 'planter', 'planted', '/bin/busybox', 'true']));
    const before_ = await recordTree(out);
    const tar = await tarBuffer([file('victim', 'pwned'), file('sub/inner', 'pwned')]);
    const r = await put(d.sock, '/containers/planter/archive?path=/victim', tar);
    assert.equal(r.status, 400, 'a link is no directory to extract into (as Docker\'s Lstat says)');
    assert.equal(JSON.parse(r.text).message, 'extraction point is not a directory');
    const r2 = await put(d.sock, '/containers/planter/archive?path=/victim/', tar);
    assert.equal(r2.status, 404, 'followed, a link to a host file resolves inside the container, where nothing is');
    for (const path of ['/abs', '/rel', '/abs/sub', '/rel/sub', '/proc-root', '/abs/../../../../..', '/rel/.']) {
      const r = await put(d.sock, `/containers/planter/archive?path=${encodeURIComponent(path)}`, tar);
      assert.ok([200, 400, 404].includes(r.status), `${path}: ${r.status} ${r.text}`);
    }
    assert.deepEqual(await recordTree(out), before_, 'the host directory the links name is unchanged');
    for (const path of ['/abs/victim', '/rel/victim', '/victim', '/proc-root/victim']) {
      const g = await d.api('GET', `/containers/planter/archive?path=${encodeURIComponent(path)}`);
      assert.ok(!g.body.includes('victim contents'), `${path}: the host file is never read (${g.status})`);
    }
    // "/abs/../../../../.." is the container's root: what went there replaced its own link
    const got = await d.api('GET', '/containers/planter/archive?path=/victim');
    assert.equal(got.status, 200);
    assert.ok(got.body.includes('pwned'));
  });

  test('commit: the new image runs with the changes, has its history entry, and omits the engine files', async () => {
    const since = Math.floor(Date.now() / 1000);
    const id = (await ok(d.docker(['commit', '-m', 'the message', '-a', 'someone', '-c', 'ENV FOO=bar', '-c', 'CMD ["cat", "/tmp/hello"]', '-c', 'EXPOSE 8080', 'live', 'committed:v1']))).trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(await ok(d.docker(['run', '--rm', 'committed:v1'])), 'hi\n');
    assert.equal(await ok(d.berth(['run', '--rm', 'committed:v1', 'sh', '-c', 'echo $FOO; cat /data/sub/f; test -e /etc/group || echo nogroup'])), 'bar\nx\nnogroup\n');
    // the engine's files are not in the image: a container of it, never started, has none
    await ok(d.docker(['create', '--name', 'fromimg', 'committed:v1']));
    for (const f of ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf']) {
      assert.equal((await d.api('HEAD', `/containers/stopped/archive?path=${f}`)).status, 404, `${f} is not in busybox`);
      assert.equal((await d.api('HEAD', `/containers/fromimg/archive?path=${f}`)).status, 404, `${f} was not committed`);
    }
    const hist = (await ok(d.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', 'committed:v1']))).split('\n');
    assert.match(hist[0]!, /^sh -c mkdir -p \/data\/sub .*\|the message$/);
    const img = JSON.parse(await ok(d.docker(['image', 'inspect', 'committed:v1'])))[0];
    assert.equal(img.Id, id);
    assert.equal(img.Author, 'someone');
    assert.deepEqual(img.Config.ExposedPorts, { '8080/tcp': {} });
    const base = JSON.parse(await ok(d.docker(['image', 'inspect', 'busybox'])))[0];
    assert.equal(img.RootFS.Layers.length, base.RootFS.Layers.length + 1);
    const e = (await d.api('GET', `/events?since=${since}&until=${Math.floor(Date.now() / 1000) + 1}&filters=${encodeURIComponent('{"type":["container"]}')}`)).body;
    assert.match(e, /"Action":"pause"/);
    assert.match(e, /"Action":"commit".*"comment":"the message".*"imageID":"sha256:[0-9a-f]{64}".*"imageRef":"committed:v1"/);
    assert.match(e, /"Action":"unpause"/);
    // an untouched container's commit adds no layer, only an empty_layer history entry
    const id2 = (await ok(d.berth(['commit', '--pause=false', '-c', 'ENTRYPOINT ["ls"]', 'stopped']))).trim();
    const img2 = JSON.parse(await ok(d.docker(['image', 'inspect', id2])))[0];
    assert.equal(img2.RootFS.Layers.length, base.RootFS.Layers.length + 1, 'the stopped container got /tmp files by cp');
    assert.equal(img2.Config.Cmd, null, 'ENTRYPOINT drops the inherited CMD');
    const errs = await Promise.all([d.docker(['commit', 'nope']), d.berth(['commit', '-c', 'FROM x', 'live']), d.docker(['commit', 'live', 'Bad:Name'])]);
    assert.equal(errs[0].stderr.trim(), 'Error response from daemon: No such container: nope');
    assert.match(errs[1].stderr, /from is not a valid change command/);
    assert.notEqual(errs[2].code, 0);
  });

  test('cp and commit with the CLIs\' usage errors', async () => {
    const r = await d.berth(['cp', 'a', 'b']);
    assert.equal(r.stderr.trim(), 'must specify at least one container source');
    assert.equal((await d.berth(['cp', 'live:/a', 'live:/b'])).stderr.trim(), 'copying between containers is not supported');
  });
});
