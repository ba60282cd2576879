import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DOCKER, isRoot, run, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';

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
});
