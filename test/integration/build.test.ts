import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { DOCKER, eventually, isRoot, run, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

describe('docker build (classic) against berthd', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  const dirs: string[] = [];
  const context = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-build-it-'));
    dirs.push(dir);
    for (const [name, body] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), body);
    }
    return dir;
  };
  const docker = (args: string[], opts: { input?: string } = {}): Promise<RunResult> =>
    run(DOCKER, args, { ...opts, env: { ...process.env, DOCKER_HOST: d.host, DOCKER_BUILDKIT: '0' }, timeoutMs: 180_000 });

  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
  });
  after(async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await d?.cleanup();
  });

  test('builds, tags and runs an image; a rebuild takes every step from the cache', async () => {
    const ctx = context({
      Dockerfile: 'FROM busybox\nENV GREETING="hello world"\nWORKDIR /app\nCOPY data.txt ./\nRUN echo "$GREETING" > /app/greeting && cat data.txt >> /app/greeting\nCMD ["cat", "/app/greeting"]\n',
      'data.txt': 'from the context\n',
    });
    const out = ok(await docker(['build', '-t', 'built:1', ctx]));
    assert.match(out, /Step 1\/6 : FROM busybox/);
    assert.match(out, /Step 5\/6 : RUN echo "\$GREETING"/);
    assert.match(out, / ---> Running in [0-9a-f]{12}/);
    assert.match(out, /Successfully built [0-9a-f]{12}\nSuccessfully tagged built:1\n/);
    assert.equal(ok(await docker(['run', '--rm', 'built:1'])), 'hello world\nfrom the context\n');
    const again = ok(await docker(['build', '-t', 'built:1', ctx]));
    assert.equal((again.match(/Using cache/g) ?? []).length, 5);
    // The third build of the same bytes is replayed (build-memo.ts): the same stream, the same tag.
    const replayed = ok(await docker(['build', '-t', 'built:1', '-t', 'built:2', ctx]));
    assert.equal(replayed, `${again.trimEnd()}\nSuccessfully tagged built:2\n`);
    assert.equal(ok(await docker(['build', '-t', 'built:1', '-t', 'built:2', ctx])), replayed);
    assert.equal(ok(await docker(['image', 'inspect', '-f', '{{.Id}}', 'built:2'])), ok(await docker(['image', 'inspect', '-f', '{{.Id}}', 'built:1'])));
    // A base that now names another image is not replayed: its steps run again.
    const realBase = ok(await docker(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).trim();
    ok(await docker(['tag', 'built:1', 'busybox']));
    try {
      const rebased = ok(await docker(['build', '-t', 'built:3', ctx]));
      assert.equal((rebased.match(/Using cache/g) ?? []).length, 0, rebased);
      assert.match(rebased, / ---> Running in /);
    } finally {
      ok(await docker(['tag', realBase, 'busybox']));
      await docker(['rmi', 'built:3']);
    }
    const history = ok(await docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'built:1'])).split('\n');
    assert.equal(history[0], '/bin/sh -c #(nop)  CMD ["cat" "/app/greeting"]');
    assert.match(history[2]!, /^\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \/app\/ $/);
    assert.equal(ok(await docker(['ps', '-aq'])), '');
  });

  test('a failing RUN reports its code and output, tags nothing and leaves no container', async () => {
    const ctx = context({ Dockerfile: 'FROM busybox\nRUN echo about to fail && exit 3\n' });
    const r = await docker(['build', '-t', 'broken', ctx]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /about to fail/);
    assert.match(r.stderr, /The command '\/bin\/sh -c echo about to fail && exit 3' returned a non-zero code: 3/);
    assert.notEqual((await docker(['image', 'inspect', 'broken'])).code, 0);
    assert.equal(ok(await docker(['ps', '-aq'])), '');
  });

  test('.dockerignore keeps a secret out, and a context symlink cannot reach out of the context', async () => {
    const ctx = context({ Dockerfile: 'FROM busybox\nCOPY . /ctx/\n', '.dockerignore': 'secret*\n', 'secret.txt': 'no', 'public.txt': 'yes' });
    symlinkSync('/etc/shadow', join(ctx, 'shadow-link'));
    ok(await docker(['build', '-t', 'ignored', ctx]));
    assert.equal(ok(await docker(['run', '--rm', 'ignored', 'ls', '/ctx'])), 'Dockerfile\npublic.txt\nshadow-link\n');
    assert.equal(ok(await docker(['run', '--rm', 'ignored', 'readlink', '/ctx/shadow-link'])), '/etc/shadow\n');
    const escape = context({ Dockerfile: 'FROM busybox\nCOPY shadow-link /x\n' });
    symlinkSync('/etc/shadow', join(escape, 'shadow-link'));
    const r = await docker(['build', escape]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /file not found in build context/);
  });

  test('hostile requests to /build get errors and the daemon keeps serving', async () => {
    const post = async (query: string, body: string): Promise<string> =>
      (await run('curl', ['-s', '--unix-socket', d.sock, '-X', 'POST', '-H', 'Content-Type: application/x-tar', '--data-binary', body, `http://x/build?${query}`])).stdout;
    assert.match(await post('t=x', 'not a tar at all'), /"error"/);
    assert.match(await post('buildargs=%7Bnot-json', ''), /invalid buildargs parameter/);
    assert.match(await post('buildargs=%7B%22A%22%3A1%7D', ''), /the value of \\"A\\" is not a string/);
    assert.match(await post('remote=file%3A%2F%2F%2Fetc%2Fpasswd', ''), /unsupported remote context/);
    assert.match(await post('cachefrom=%5Bnot-json', ''), /invalid cachefrom parameter: not JSON/);
    assert.match(await post('cachefrom=%7B%22a%22%3A%22b%22%7D', ''), /invalid cachefrom parameter: expected a JSON array of strings/);
    assert.match(await post('cachefrom=%5B1%5D', ''), /invalid cachefrom parameter: expected a JSON array of strings/);
    assert.match(await post('t=bad%20tag', ''), /invalid reference format/);
    const ctx = context({ Dockerfile: 'FROM busybox\n' });
    const tar = join(ctx, '..', `${ctx.split('/').pop()}.tar`);
    dirs.push(tar);
    ok(await run('tar', ['-C', ctx, '-cf', tar, '.']));
    const outside = (await run('curl', ['-s', '--unix-socket', d.sock, '-X', 'POST', '--data-binary', `@${tar}`, 'http://x/build?dockerfile=..%2F..%2F..%2Fetc%2Fpasswd'])).stdout;
    assert.match(outside, /Cannot locate specified Dockerfile/);
    assert.equal((await run('curl', ['-s', '--unix-socket', d.sock, 'http://x/_ping'])).stdout, 'OK');
  });

  test('multi-stage: COPY --from an earlier stage, --target, and errors that name the line', async () => {
    const ctx = context({
      Dockerfile: 'FROM busybox AS builder\nRUN echo built > /artifact\nFROM busybox AS unused\nRUN exit 9\nFROM busybox\nCOPY --from=builder /artifact /artifact\nCMD ["cat", "/artifact"]\n',
    });
    ok(await docker(['build', '-t', 'multi', ctx]));
    assert.equal(ok(await docker(['run', '--rm', 'multi'])), 'built\n');
    ok(await docker(['build', '--target', 'builder', '-t', 'stage1', ctx]));
    assert.equal(ok(await docker(['run', '--rm', 'stage1', 'cat', '/artifact'])), 'built\n');
    const bad = context({ Dockerfile: 'FROM busybox\nRUN true\nFOOBAR x\n' });
    const r = await docker(['build', bad]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /line 3: unknown instruction: FOOBAR/);
  });

  test('berth build: -q and --iidfile, a Dockerfile from stdin, --progress=plain, builder prune', async () => {
    const ctx = context({ Dockerfile: 'FROM busybox\nLABEL stage=one\nRUN echo step output\n', 'f.txt': 'x' });
    const quiet = ok(await d.berth(['build', '-q', '--iidfile', join(ctx, 'iid'), '-t', 'quiet:1', ctx], { timeoutMs: 180_000 }));
    assert.match(quiet, /^sha256:[0-9a-f]{64}\n$/);
    assert.equal(readFileSync(join(ctx, 'iid'), 'utf8'), quiet.trim());
    const classic = ok(await d.berth(['build', ctx], { timeoutMs: 180_000 }));
    assert.match(classic, /^Sending build context to Docker daemon {2}\S+\r\r\nStep 1\/3 : FROM busybox\n/);
    const plain = await d.berth(['build', '--no-cache', '--progress=plain', ctx], { timeoutMs: 180_000 });
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stderr, /#2 \[2\/3\] LABEL stage=one\n/);
    assert.match(plain.stderr, /#3 \d+\.\d{3} step output\n#3 DONE \d+\.\ds\n/);
    const cached = await d.berth(['build', '--progress=plain', ctx], { timeoutMs: 180_000 });
    assert.match(cached.stderr, /#3 CACHED\n/);
    const fromStdin = ok(await d.berth(['build', '-q', '-f', '-', ctx], { input: 'FROM busybox\nCOPY f.txt /f.txt\n', timeoutMs: 180_000 }));
    assert.equal(ok(await d.berth(['run', '--rm', fromStdin.trim(), 'cat', '/f.txt'])), 'x');
    const onlyDockerfile = ok(await d.berth(['build', '-q', '-'], { input: 'FROM busybox\nENV ONLY=1\n', timeoutMs: 180_000 }));
    assert.match(onlyDockerfile, /^sha256:/);
    const bad = await d.berth(['build', '-'], { input: 'FROM busybox\nRUN exit 7\n', timeoutMs: 180_000 });
    assert.equal(bad.code, 7);
    const pruned = ok(await d.berth(['builder', 'prune', '-af']));
    assert.match(pruned, /Deleted build cache objects:\n[0-9a-f]{64}\n/);
    assert.match(pruned, /Total reclaimed space: /);
    assert.equal((await d.berth(['image', 'inspect', 'quiet:1'])).code, 0);
  });

  test('--cache-from: a loaded image serves every step, a changed step runs alone; without it nothing is cached', async () => {
    const ctx = context({ Dockerfile: 'FROM busybox\nENV V=1\nCOPY app.txt /app.txt\nRUN cat /app.txt > /made\nCMD ["cat", "/made"]\n', 'app.txt': 'shipped\n' });
    ok(await docker(['build', '-t', 'cf:1', ctx]));
    const id = ok(await docker(['image', 'inspect', '-f', '{{.Id}}', 'cf:1'])).trim();
    const tar = join(ctx, '..', `${ctx.split('/').pop()}-cf.tar`);
    dirs.push(tar);
    ok(await docker(['save', '-o', tar, 'cf:1']));
    ok(await docker(['rmi', 'cf:1']));
    ok(await d.berth(['builder', 'prune', '-af']));
    ok(await docker(['load', '-i', tar]));
    const cold = ok(await docker(['build', '--cache-from', 'missing:image', '--cache-from', 'cf:1', '-t', 'cf:2', ctx]));
    assert.equal((cold.match(/Using cache/g) ?? []).length, 4, cold);
    assert.doesNotMatch(cold, /Running in/);
    assert.equal(ok(await docker(['image', 'inspect', '-f', '{{.Id}}', 'cf:2'])).trim(), id, 'the last step is the source image itself');
    assert.equal(ok(await docker(['run', '--rm', 'cf:2'])), 'shipped\n');
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nENV V=1\nCOPY app.txt /app.txt\nRUN cat /app.txt > /made\nCMD ["cat", "/app.txt"]\n');
    const changed = ok(await docker(['build', '--cache-from', 'cf:1', '-t', 'cf:3', ctx]));
    assert.equal((changed.match(/Using cache/g) ?? []).length, 3, changed);
    assert.equal(ok(await docker(['run', '--rm', 'cf:3'])), 'shipped\n');
    const other = context({ Dockerfile: 'FROM busybox\nENV V=1\nRUN echo other > /made\n' });
    const unrelated = ok(await docker(['build', '--cache-from', 'cf:1', other]));
    assert.equal((unrelated.match(/Using cache/g) ?? []).length, 1, 'ENV V=1 matches; the RUN differs');
    assert.match(unrelated, /Running in/);
  });

  test('ADD: a tar.gz is unpacked, garbage behind a gzip magic is copied as a file (as dockerd), a truncated archive fails with its line, tags nothing, leaves no container', async () => {
    const ctx = context({ Dockerfile: 'FROM busybox\nADD garbage.gz /dest/\n' });
    writeFileSync(join(ctx, 'garbage.gz'), Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 3]), Buffer.alloc(64, 0xab)]));
    ok(await docker(['build', '-t', 'garbage', ctx]));
    assert.equal(ok(await docker(['run', '--rm', 'garbage', 'wc', '-c', '/dest/garbage.gz'])), '74 /dest/garbage.gz\n');
    const bad = context({ Dockerfile: 'FROM busybox\nENV A=1\nADD truncated.tar.gz /dest/\n', 'payload/blob': randomBytes(256 * 1024).toString('base64') });
    ok(await run('tar', ['-C', bad, '-czf', join(bad, 'whole.tar.gz'), 'payload']));
    writeFileSync(join(bad, 'truncated.tar.gz'), readFileSync(join(bad, 'whole.tar.gz')).subarray(0, 60_000));
    writeFileSync(join(bad, 'Dockerfile.good'), 'FROM busybox\nADD whole.tar.gz /dest/\n');
    ok(await docker(['build', '-f', join(bad, 'Dockerfile.good'), '-t', 'unpacked', bad]));
    assert.equal(ok(await docker(['run', '--rm', 'unpacked', 'wc', '-c', '/dest/payload/blob'])), `${readFileSync(join(bad, 'payload/blob')).length} /dest/payload/blob\n`);
    const r = await docker(['build', '-t', 'corrupt', bad]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /line 3: ADD failed: failed to extract truncated\.tar\.gz: /);
    assert.notEqual((await docker(['image', 'inspect', 'corrupt'])).code, 0);
    assert.equal(ok(await docker(['ps', '-aq'])), '');
    assert.equal((await run('curl', ['-s', '--unix-socket', d.sock, 'http://x/_ping'])).stdout, 'OK');
  });

  test('--platform: the host\'s builds from the local image; another is not taken from a local image of the wrong platform', async () => {
    const ctx = context({ Dockerfile: 'FROM busybox\nRUN true\n' });
    ok(await docker(['build', '--platform', 'linux/amd64', ctx]));
    const r = await docker(['build', '--platform', 'linux/arm64', ctx]);
    assert.notEqual(r.code, 0, 'busybox here is amd64 and no registry is reachable');
    const arm = context({ Dockerfile: 'FROM --platform=linux/arm64 busybox\n' });
    assert.notEqual((await docker(['build', '--pull=false', arm])).code, 0);
  });

  test('a client that goes away mid-RUN cancels the build: the step container is removed, nothing tagged', async () => {
    const ctx = context({ Dockerfile: 'FROM busybox\nRUN echo started && sleep 60\n' });
    const child = spawn(DOCKER, ['build', '-t', 'cancelled', ctx], { env: { ...process.env, DOCKER_HOST: d.host, DOCKER_BUILDKIT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    try {
      await eventually(() => /^started$/m.test(out), 60_000);
      assert.notEqual(ok(await docker(['ps', '-q'])), '', 'the RUN step runs in a container');
    } finally {
      child.kill('SIGINT');
    }
    await eventually(async () => ok(await docker(['ps', '-aq'])) === '', 30_000);
    assert.notEqual((await docker(['image', 'inspect', 'cancelled'])).code, 0);
  });

  test('RUN --mount: a cache kept across builds, a bind of the context (rw writes discarded), tmpfs, a secret that never lands in the image, --network=none', async () => {
    const ctx = context({
      Dockerfile: [
        'FROM busybox',
        'RUN --mount=type=cache,target=/cache sh -c "echo run >> /cache/runs; wc -l < /cache/runs > /runs-seen"',
        'RUN --mount=type=bind,source=data,target=/data cat /data/in.txt > /copied',
        'RUN --mount=type=tmpfs,target=/scratch grep -c "/scratch tmpfs" /proc/mounts > /scratch-kind',
        'RUN --mount=type=secret,id=token sh -c "cat /run/secrets/token > /dev/null && echo had-secret > /secret-seen"',
        'RUN --network=none sh -c "ip -o link show | grep -vc lo: > /links || true"',
        'RUN --mount=type=bind,source=data,target=/data,rw sh -c "echo scribbled > /data/in.txt && cat /data/in.txt > /scribbled"',
        'COPY data/in.txt /after.txt',
      ].join('\n') + '\n',
      'data/in.txt': 'bound\n',
    });
    // The secret lives outside the context, in a directory of its own that the suite removes.
    const secretDir = context({ token: 'hunter2' });
    const secret = ['--secret', `id=token,src=${join(secretDir, 'token')}`];
    ok(await d.berth(['build', ...secret, '-t', 'mounts:1', ctx], { timeoutMs: 180_000 }));
    assert.equal(ok(await d.berth(['run', '--rm', 'mounts:1', 'cat', '/runs-seen', '/copied', '/scratch-kind', '/secret-seen', '/links'])), '1\nbound\n1\nhad-secret\n0\n');
    // A rw bind's writes are seen by its step and thrown away after it, as BuildKit does.
    assert.equal(ok(await d.berth(['run', '--rm', 'mounts:1', 'cat', '/scribbled', '/after.txt'])), 'scribbled\nbound\n');
    assert.notEqual((await d.berth(['run', '--rm', 'mounts:1', 'ls', '/run/secrets/token'])).code, 0);
    assert.notEqual((await d.berth(['run', '--rm', 'mounts:1', 'ls', '/cache/runs'])).code, 0);
    ok(await d.berth(['build', '--no-cache', ...secret, '-t', 'mounts:2', ctx], { timeoutMs: 180_000 }));
    assert.equal(ok(await d.berth(['run', '--rm', 'mounts:2', 'cat', '/runs-seen'])), '2\n');
    const noSecret = await d.berth(['build', '--no-cache', ctx], { timeoutMs: 180_000 });
    assert.notEqual(noSecret.code, 0);
  });
});

/** The book's sinatra example on berth's own Debian image: apt-get from the configured mirror inside RUN steps. */
describe('the book\'s sinatra-style build on the debian base image', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  let dir = '';
  before(async () => {
    d = await startDaemon();
    dir = mkdtempSync(join(tmpdir(), 'berth-sinatra-'));
  });
  after(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await d?.cleanup();
  });

  test('builds with apt-get install in RUN steps, ADD of an app directory, EXPOSE and CMD, then runs', { timeout: 30 * 60_000 }, async () => {
    const mk = await d.berth(['image', 'mkimage', 'debian'], { timeoutMs: 20 * 60_000 });
    assert.equal(mk.code, 0, mk.stderr);
    const tag = ok(await d.berth(['images', '--format', '{{.Repository}}:{{.Tag}}', 'debian'])).trim().split('\n')[0]!;
    mkdirSync(join(dir, 'myApp'));
    // sinatra/base: plain `require 'sinatra'` would start the web server when the script ends.
    writeFileSync(join(dir, 'myApp', 'app.rb'), "require 'sinatra/base'\nputs \"sinatra #{Sinatra::VERSION}\"\n");
    writeFileSync(join(dir, 'Dockerfile'), [
      '# This is a comment',
      `FROM ${tag}`,
      'MAINTAINER Docker Newbee <newbee@docker.com>',
      'RUN apt-get -qq update',
      'RUN DEBIAN_FRONTEND=noninteractive apt-get -qqy install --no-install-recommends ruby-sinatra',
      'ADD myApp /var/www',
      'EXPOSE 80',
      'CMD ["ruby", "/var/www/app.rb"]',
    ].join('\n') + '\n');
    const out = ok(await d.berth(['build', '-t', 'ouruser/sinatra:v2', dir], { timeoutMs: 20 * 60_000 }));
    assert.match(out, /Step 3\/7 : RUN apt-get -qq update/);
    assert.match(out, /Successfully tagged ouruser\/sinatra:v2/);
    assert.match(ok(await d.berth(['run', '--rm', 'ouruser/sinatra:v2'])), /^sinatra \d+\.\d+/);
    assert.equal(ok(await d.berth(['image', 'inspect', '--format', '{{.Author}} {{json .Config.ExposedPorts}}', 'ouruser/sinatra:v2'])), 'Docker Newbee <newbee@docker.com> {"80/tcp":{}}\n');
  });
});
