import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ScopedDir, fileType, S_IFDIR, type ScopedStat } from '../../src/host/index.js';
import { containerPaths } from '../../src/snapshot/index.js';
import { isRuntimeMountPoint } from '../../src/snapshot/layer-changes.js';
import { isRoot, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';

const skip = !isRoot() && 'needs root';

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

/** Every entry of a tree, root-relative, read beneath it. */
function listTree(root: string): Array<{ rel: string; st: ScopedStat }> {
  const dir = ScopedDir.open(root);
  try {
    const out: Array<{ rel: string; st: ScopedStat }> = [];
    const stack = [''];
    while (stack.length > 0) {
      const rel = stack.pop()!;
      for (const name of dir.readdir(rel)) {
        const child = rel === '' ? name : `${rel}/${name}`;
        const st = dir.lstat(child)!;
        out.push({ rel: child, st });
        if (fileType(st.mode) === S_IFDIR) stack.push(child);
      }
    }
    return out.sort((a, b) => a.rel.localeCompare(b.rel));
  } finally {
    dir.close();
  }
}

describe('the writable layer of real containers', { skip }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
  });
  after(async () => { await d?.cleanup(); });

  test('SizeRw counts a hard-linked file once and a symlink by its target length, as Docker does', async () => {
    const id = ok(await d.berth(['run', '-d', '--name', 'sized', 'busybox', 'sh', '-c', 'head -c 1000 /dev/zero > /a && ln /a /b && ln -s a /c'])).trim();
    ok(await d.berth(['wait', id]));
    const list = (await d.api('GET', '/containers/json?all=1&size=1')).json() as Array<{ Id: string; SizeRw: number }>;
    assert.equal(list.find((c) => c.Id === id)?.SizeRw, 1001);
    const inspect = (await d.api('GET', `/containers/${id}/json?size=1`)).json() as { SizeRw: number; GraphDriver: { Data: Record<string, string> } };
    assert.equal(inspect.SizeRw, 1001);
    const p = containerPaths(`${d.dataRoot}/containers`, id);
    assert.deepEqual(inspect.GraphDriver.Data, { UpperDir: p.upper, WorkDir: p.work, MergedDir: p.merged });
    const ps = ok(await d.docker(['ps', '-as', '--filter', 'name=sized', '--format', '{{.Size}}']));
    assert.match(ps, /^1kB \(virtual /); // go-units: 1001 bytes, 3 significant digits
    ok(await d.berth(['rm', id]));
  });

  test('what the runtime leaves in the writable layer of a container that changes nothing is only its mount points', async () => {
    const id = ok(await d.berth(['run', '-d', 'busybox', 'true'])).trim();
    ok(await d.berth(['wait', id]));
    const upper = containerPaths(`${d.dataRoot}/containers`, id).upper;
    const entries = listTree(upper);
    const made = entries.filter((e) => isRuntimeMountPoint(e.rel, e.st)).map((e) => e.rel);
    const parents = new Set(made.map((rel) => rel.split('/').slice(0, -1).join('/')).filter(Boolean));
    assert.deepEqual(entries.map((e) => e.rel).filter((rel) => !made.includes(rel) && !parents.has(rel)), []);
    ok(await d.berth(['rm', id]));
  });
});
