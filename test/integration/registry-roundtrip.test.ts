import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, isRoot, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

function freePort(): Promise<number> {
  return new Promise((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => { const p = (srv.address() as { port: number }).port; srv.close(() => res(p)); });
  });
}

/** The book's private registry: `run -d -p 5000:5000 registry`, then push and pull through it. */
describe('berth pushes to and pulls from its own registry running as a container', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  let port: number;
  let registryId = '';
  const dir = mkdtempSync('/tmp/berth-roundtrip-');

  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
    ok(await d.berth(['image', 'mkimage', 'registry'], { timeoutMs: 180_000 }));
    port = await freePort();
    registryId = ok(await d.berth(['run', '-d', '-p', `127.0.0.1:${port}:5000`, '--name', 'registry', 'registry'])).trim();
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/v2/`).catch(() => undefined))?.status === 200, 60_000);
  });
  after(async () => {
    if (registryId) await d?.berth(['rm', '-f', '-v', registryId]);
    await d?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('push, remove, pull by tag and by digest, run; the docker CLI pulls the same', { timeout: 300_000 }, async () => {
    const name = `127.0.0.1:${port}/tools/busybox:1`;
    ok(await d.berth(['tag', 'busybox', name]));
    const pushed = ok(await d.berth(['push', name], { timeoutMs: 120_000 }));
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1];
    assert.ok(digest, pushed);
    ok(await d.berth(['rmi', name]));
    const pulled = ok(await d.berth(['pull', name], { timeoutMs: 120_000 }));
    assert.match(pulled, new RegExp(`Digest: ${digest}`));
    assert.match(pulled, /Status: (Downloaded newer image|Image is up to date) for /);
    assert.equal(ok(await d.berth(['run', '--rm', name, 'echo', 'from the registry'])), 'from the registry\n');
    const byDigest = `127.0.0.1:${port}/tools/busybox@${digest}`;
    ok(await d.docker(['pull', byDigest], { timeoutMs: 120_000 }));
    assert.match(ok(await d.docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', name])), new RegExp(digest!));
  });

  test('a build FROM an image only the registry has pulls it first', { timeout: 300_000 }, async () => {
    const name = `127.0.0.1:${port}/tools/base:2`;
    ok(await d.berth(['tag', 'busybox', name]));
    ok(await d.berth(['push', name], { timeoutMs: 120_000 }));
    ok(await d.berth(['rmi', name]));
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${name}\nRUN echo built > /built\n`);
    const out = ok(await d.berth(['build', '-t', 'from-registry', dir], { timeoutMs: 180_000 }));
    assert.match(out, /Successfully tagged from-registry:latest/);
    assert.equal(ok(await d.berth(['run', '--rm', 'from-registry', 'cat', '/built'])), 'built\n');
  });
});
