import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isRoot, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

/** Everything under the data root except logs and sockets, to prove a failed operation left nothing. */
async function storeListing(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const r = join(rel, e.name);
      if (r.startsWith('containers') || r.startsWith('networks') || r === 'engine-id') continue;
      out.push(r);
      if (e.isDirectory() && !r.startsWith('layers/')) await walk(join(dir, e.name), r);
    }
  };
  await walk(root, '');
  return out.sort();
}

for (const client of ['berth', 'docker'] as const) {
  describe(`images through ${client}`, { skip: !isRoot() && 'needs root' }, () => {
    let d: TestDaemon;
    const cli = (args: string[], opts?: { input?: string | Buffer }): Promise<RunResult> => d[client](args, opts);
    before(async () => {
      d = await startDaemon();
      await withBusybox(d);
    });
    after(async () => { await d?.cleanup(); });

    test('mkimage busybox is reproducible: the same ID on every build', async () => {
      const id1 = ok(await d.berth(['images', '-q', '--no-trunc', 'busybox'])).trim();
      ok(await d.berth(['image', 'mkimage', 'busybox', '--tag', 'again:1']));
      assert.equal(ok(await d.berth(['images', '-q', '--no-trunc', 'again:1'])).trim(), id1);
      ok(await cli(['rmi', 'again:1']));
    });

    test('images lists with Docker columns, filters, --digests and --format', async () => {
      const table = ok(await cli(['images']));
      assert.match(table, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/m);
      assert.match(table, /^busybox\s+latest\s+[a-f0-9]{12}\s+.+ago\s+\d+(\.\d+)?MB$/m);
      ok(await cli(['tag', 'busybox', 'example.com/team/tool:v1']));
      assert.equal(ok(await cli(['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', 'reference=example.com/*/*'])).trim(), 'example.com/team/tool:v1');
      assert.match(ok(await cli(['images', '--digests'])), /^REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID/m);
      assert.equal(ok(await cli(['images', '-q', '--filter', 'dangling=true'])), '');
      const untag = ok(await cli(['rmi', 'example.com/team/tool:v1']));
      assert.equal(untag, 'Untagged: example.com/team/tool:v1\n');
    });

    test('import from a file and from stdin with changes and a message', async () => {
      const tar = join(d.dir, 'rootfs.tar');
      const src = join(d.dir, 'src');
      spawnSync('mkdir', ['-p', join(src, 'app')]);
      writeFileSync(join(src, 'app', 'hello.txt'), 'imported\n');
      spawnSync('tar', ['-C', src, '-cf', tar, '.']);
      const id = ok(await cli(['import', '-c', 'CMD ["cat","/app/hello.txt"]', '-c', 'ENV MODE=test', '-c', 'WORKDIR /app', '-m', 'from a test', tar, 'imported:file'])).trim();
      assert.match(id, /^sha256:[a-f0-9]{64}$/);
      const cfg = JSON.parse(ok(await cli(['image', 'inspect', '-f', '{{json .Config}}', 'imported:file'])));
      assert.deepEqual(cfg.Cmd, ['cat', '/app/hello.txt']);
      assert.ok(cfg.Env.includes('MODE=test'));
      assert.equal(cfg.WorkingDir, '/app');
      assert.equal(ok(await cli(['image', 'inspect', '-f', '{{.Comment}}', 'imported:file'])).trim(), 'from a test');
      const viaStdin = ok(await cli(['import', '-', 'imported:stdin'], { input: readFileSync(tar) })).trim();
      assert.match(viaStdin, /^sha256:/);
      assert.match(ok(await cli(['history', 'imported:file'])), /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/m);
      ok(await cli(['rmi', 'imported:file', 'imported:stdin']));
    });

    test('import of a file that is not a tar fails and leaves nothing behind', async () => {
      const junk = join(d.dir, 'junk.bin');
      writeFileSync(junk, 'this is not a tar archive at all, just text\n'.repeat(50));
      const before = await storeListing(d.dataRoot);
      const r = await cli(['import', junk, 'junk:1']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Error response from daemon/);
      assert.deepEqual(await storeListing(d.dataRoot), before);
      assert.equal((await d.api('GET', '/_ping')).status, 200);
    });

    test('save and load round-trip with equal IDs; a truncated archive changes nothing', async () => {
      const archive = join(d.dir, 'bb.tar');
      ok(await cli(['save', '-o', archive, 'busybox']));
      const id = ok(await cli(['images', '-q', '--no-trunc', 'busybox'])).trim();
      ok(await cli(['rmi', 'busybox']));
      assert.match(ok(await cli(['load', '-i', archive])), /Loaded image: busybox:latest/);
      assert.equal(ok(await cli(['images', '-q', '--no-trunc', 'busybox'])).trim(), id);

      const truncated = join(d.dir, 'truncated.tar');
      const full = readFileSync(archive);
      writeFileSync(truncated, full.subarray(0, Math.floor(full.length / 2)));
      ok(await cli(['tag', 'busybox', 'keep:me']));
      ok(await cli(['rmi', 'busybox']));
      const before = await storeListing(d.dataRoot);
      const r = await cli(['load', '-i', truncated]);
      assert.notEqual(r.code, 0);
      assert.deepEqual(await storeListing(d.dataRoot), before);
      assert.equal((await cli(['image', 'inspect', 'busybox'])).code, 1);
      ok(await cli(['tag', 'keep:me', 'busybox']));
      ok(await cli(['rmi', 'keep:me']));
    });

    test('import from a URL, save several images to stdout, load from stdin', async () => {
      const { createServer } = await import('node:http');
      const tar = join(d.dir, 'url-rootfs.tar');
      const src = join(d.dir, 'url-src');
      spawnSync('mkdir', ['-p', src]);
      writeFileSync(join(src, 'from-url'), 'yes\n');
      spawnSync('tar', ['-C', src, '-cf', tar, '.']);
      const server = createServer((_req, res) => res.end(readFileSync(tar)));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const port = (server.address() as { port: number }).port;
        assert.match(ok(await cli(['import', `http://127.0.0.1:${port}/rootfs.tar`, 'fromurl:1'])), /^sha256:[a-f0-9]{64}$/m);
      } finally {
        server.close();
      }
      // binary stdout: spawnSync keeps the bytes as they are
      const archive = join(d.dir, 'two.tar');
      const child = spawnSync(join(import.meta.dirname, '../../../bin/berth.cjs'), ['save', 'busybox', 'fromurl:1'], { env: { ...process.env, DOCKER_HOST: d.host }, maxBuffer: 64 << 20 });
      assert.equal(child.status, 0, String(child.stderr));
      writeFileSync(archive, child.stdout);
      ok(await cli(['rmi', 'fromurl:1']));
      const loaded = ok(await cli(['load'], { input: readFileSync(archive) }));
      assert.match(loaded, /Loaded image: fromurl:1/);
      assert.match(loaded, /Loaded image: busybox:latest/);
      ok(await cli(['rmi', 'fromurl:1']));
      // a reader that goes away early ends the CLI as SIGPIPE ends docker's: status 141, no message
      const piped = spawnSync('bash', ['-c', `"$0" save busybox | head -c 10 >/dev/null; exit "\${PIPESTATUS[0]}"`, join(import.meta.dirname, '../../../bin/berth.cjs')], { env: { ...process.env, DOCKER_HOST: d.host } });
      assert.equal(piped.status, 141, String(piped.stderr));
      assert.equal(String(piped.stderr), '');
    });

    test('images filters: before, since, label; history -q and --no-trunc', async () => {
      const src = join(d.dir, 'lbl');
      spawnSync('mkdir', ['-p', src]);
      writeFileSync(join(src, 'f'), 'x');
      spawnSync('tar', ['-C', src, '-cf', join(d.dir, 'lbl.tar'), '.']);
      ok(await cli(['import', '-c', 'LABEL team=core', join(d.dir, 'lbl.tar'), 'labelled:1']));
      assert.equal(ok(await cli(['images', '--filter', 'label=team=core', '--format', '{{.Repository}}'])).trim(), 'labelled');
      assert.equal(ok(await cli(['images', '--filter', 'since=busybox', '--format', '{{.Repository}}'])).trim(), 'labelled');
      assert.equal(ok(await cli(['images', '--filter', 'before=labelled:1', '--format', '{{.Repository}}'])).trim(), 'busybox');
      assert.match(ok(await cli(['history', '-q', 'labelled:1'])), /^[a-f0-9]{12}\n$/);
      assert.match(ok(await cli(['history', '--no-trunc', '--format', '{{.ID}}', 'labelled:1'])), /^sha256:[a-f0-9]{64}\n$/);
      ok(await cli(['rmi', 'labelled:1']));
    });

    test('rmi of an image in use is a conflict; -f untags; history and prune', async () => {
      ok(await cli(['tag', 'busybox', 'inuse:1']));
      ok(await cli(['create', '--name', 'user1', 'inuse:1', 'true']));
      ok(await cli(['rmi', 'busybox']));
      ok(await cli(['tag', 'inuse:1', 'busybox']));
      const conflict = await cli(['rmi', 'inuse:1', 'busybox']);
      assert.match(conflict.stdout + conflict.stderr, /Untagged: inuse:1/);
      const last = await cli(['rmi', 'busybox']);
      assert.notEqual(last.code, 0);
      assert.match(last.stderr, /conflict: unable to remove repository reference "busybox" \(must force\) - container [a-f0-9]{12} is using its referenced image/);
      ok(await cli(['rm', 'user1']));
      assert.match(ok(await cli(['image', 'prune', '-f'])), /Total reclaimed space/);
      assert.equal(ok(await cli(['images', '-q', 'busybox'])).trim().length, 12, 'a tagged image survives prune without -a');
    });
  });
}


describe('a full disk', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon({ dataRootMiB: 16 });
    await withBusybox(d);
  });
  after(async () => { await d?.cleanup(); });

  test('an import larger than the disk fails cleanly, frees what it wrote and the daemon keeps serving', async () => {
    const src = join(d.dir, 'big');
    spawnSync('mkdir', ['-p', src]);
    writeFileSync(join(src, 'blob'), (await import('node:crypto')).randomBytes(20 * 1024 * 1024));
    spawnSync('tar', ['-C', src, '-cf', join(d.dir, 'big.tar'), '.']);
    const before = await storeListing(d.dataRoot);
    const r = await d.docker(['import', join(d.dir, 'big.tar'), 'big:1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no space left on device/);
    assert.deepEqual(await storeListing(d.dataRoot), before);
    assert.equal(ok(await d.berth(['run', '--rm', 'busybox', 'echo', 'still serving'])), 'still serving\n');
  });
});
