import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readTar } from '../../image/index.js';
import type { ImageConfig, ImageRuntimeConfig } from '../../oci/index.js';
import { readDockerfile } from '../../dockerfile/index.js';
import type { BuildEngine, BuildMessage } from './engine.js';
import { runBuild, type BuildOptions } from './executor.js';

/** An engine in memory: images are configs, containers record what the steps did. */
class FakeEngine implements BuildEngine {
  images = new Map<string, { config: ImageConfig; createdBy?: string; files: Map<string, string> }>();
  containers = new Map<string, { imageId: string; config: ImageRuntimeConfig; files: Map<string, string> }>();
  runs: string[][] = [];
  removed: string[] = [];
  tags = new Map<string, string>();
  exitCodes = new Map<string, number>();
  private n = 0;

  constructor() {
    this.images.set('sha256:' + 'b'.repeat(64), { config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { Env: ['PATH=/bin'], Cmd: ['sh'] } }, files: new Map() });
  }
  async image(ref: string) {
    const id = ref === 'base' ? 'sha256:' + 'b'.repeat(64) : ref;
    const img = this.images.get(id);
    if (!img) throw new Error(`No such image: ${ref}`);
    return { id, config: img.config };
  }
  async createContainer(o: { imageId: string; config: ImageRuntimeConfig }) {
    const id = createHash('sha256').update(String(++this.n)).digest('hex');
    this.containers.set(id, { imageId: o.imageId, config: o.config, files: new Map(this.images.get(o.imageId)?.files ?? []) });
    return id;
  }
  running = 0;
  mostRunning = 0;
  async runContainer(id: string, o: { output: (c: Buffer) => void }) {
    const c = this.containers.get(id)!;
    this.mostRunning = Math.max(this.mostRunning, ++this.running);
    await new Promise((r) => setTimeout(r, 20));
    this.running--;
    this.runs.push(c.config.Cmd!);
    o.output(Buffer.from(`ran ${c.config.Cmd!.at(-1)}\n`));
    const script = c.config.Cmd!.at(-1)!;
    c.files.set('/ran', script);
    return this.exitCodes.get(script) ?? 0;
  }
  async pathKind(imageId: string, path: string) {
    const files = this.images.get(imageId)?.files;
    if ([...(files?.keys() ?? [])].some((f) => f.startsWith(path.replace(/\/?$/, '/')))) return 'dir' as const;
    return files?.has(path) ? 'file' as const : 'missing' as const;
  }
  async resolveOwner() { return { uid: 1000, gid: 1000 }; }
  async cacheDir(id: string) { return `/cache/${id}`; }
  async removeMountStubs() {}
  async copyInto(id: string, o: { mkdir: string; tar: NodeJS.ReadableStream }) {
    const c = this.containers.get(id)!;
    for await (const e of readTar(o.tar as AsyncIterable<Buffer>)) {
      let body = '';
      for await (const chunk of e.body()) body += chunk.toString();
      c.files.set(`/${e.header.name}`, `${e.header.type} ${e.header.uid}:${e.header.gid} ${(e.header.mode & 0o7777).toString(8)} ${body}`);
    }
  }
  async commit(o: { containerId?: string; parent?: string; config: ImageRuntimeConfig; createdBy: string }) {
    const files = o.containerId ? this.containers.get(o.containerId)!.files : new Map(this.images.get(o.parent ?? '')?.files ?? []);
    const id = 'sha256:' + createHash('sha256').update(JSON.stringify([o.parent, o.config, o.createdBy, [...files]])).digest('hex');
    this.images.set(id, { config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: o.config }, createdBy: o.createdBy, files: new Map(files) });
    return id;
  }
  async removeContainer(id: string) { this.removed.push(id); this.containers.delete(id); }
  async tag(imageId: string, ref: string) { this.tags.set(ref, imageId); }
  async mountImage(imageId: string): Promise<{ path: string; release(): Promise<void> }> {
    const path = mkdtempSync(join(tmpdir(), 'berth-fake-view-'));
    for (const [name, body] of this.images.get(imageId)?.files ?? []) {
      mkdirSync(join(path, name, '..'), { recursive: true });
      writeFileSync(join(path, name), body);
    }
    return { path, release: async () => rmSync(path, { recursive: true, force: true }) };
  }
  async imageFromHistory(): Promise<string> { throw new Error('not in this test'); }
  async scratchView(dir: string): Promise<{ path: string; release(): Promise<void> }> { return { path: dir, release: async () => {} }; }
}

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-build-ctx-'));
  dirs.push(dir);
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

async function build(engine: FakeEngine, text: string, extra: Partial<BuildOptions> & { contextDir: string }, cache = new Map<string, string>()): Promise<{ id: string; out: string; messages: BuildMessage[] }> {
  const messages: BuildMessage[] = [];
  const id = await runBuild({
    dockerfile: readDockerfile(text), tags: [], buildArgs: new Map(), noCache: false, pull: false, labels: {}, rm: true, host: {},
    engine, cache: { get: async (k) => cache.get(k), set: async (k, v) => { cache.set(k, v); } }, emit: (m) => messages.push(m), ...extra,
  });
  return { id, out: messages.map((m) => ('stream' in m ? m.stream : '')).join(''), messages };
}

test('runBuild() prints the classic steps and records moby history for each instruction', async () => {
  const engine = new FakeEngine();
  const { id, out, messages } = await build(engine, 'FROM base\nENV A=1 B="two words"\nRUN echo $A\nCMD echo hi\n', { contextDir: context({}), tags: ['app:1'] });
  assert.match(out, /^Step 1\/4 : FROM base\n ---> bbbbbbbbbbbb\nStep 2\/4 : ENV A=1 B="two words"\n ---> [0-9a-f]{12}\nStep 3\/4 : RUN echo \$A\n ---> Running in [0-9a-f]{12}\nran echo \$A\nRemoving intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\nStep 4\/4 : CMD echo hi\n ---> [0-9a-f]{12}\nSuccessfully built [0-9a-f]{12}\nSuccessfully tagged app:1\n$/);
  assert.deepEqual(messages.find((m) => 'aux' in m), { aux: { ID: id } });
  const img = engine.images.get(id)!;
  assert.deepEqual(img.config.config, { Env: ['PATH=/bin', 'A=1', 'B=two words'], Cmd: ['/bin/sh', '-c', 'echo hi'] });
  assert.equal(img.createdBy, '/bin/sh -c #(nop)  CMD ["/bin/sh" "-c" "echo hi"]');
  assert.deepEqual(engine.runs, [['/bin/sh', '-c', 'echo $A']]);
  assert.equal(engine.containers.size, 0);
  assert.equal(engine.tags.get('app:1'), id);
});

test('runBuild() reuses every step from the cache, and a changed file invalidates exactly the steps after its COPY', async () => {
  const engine = new FakeEngine();
  const cache = new Map<string, string>();
  const text = 'FROM base\nRUN one\nCOPY a.txt /app/\nRUN two\n';
  const ctx = context({ 'a.txt': 'v1' });
  const first = await build(engine, text, { contextDir: ctx }, cache);
  const again = await build(engine, text, { contextDir: ctx }, cache);
  assert.equal(again.id, first.id);
  assert.equal((again.out.match(/Using cache/g) ?? []).length, 3);
  writeFileSync(join(ctx, 'a.txt'), 'v2');
  const changed = await build(engine, text, { contextDir: ctx }, cache);
  assert.equal((changed.out.match(/Using cache/g) ?? []).length, 1);
  assert.notEqual(changed.id, first.id);
  assert.equal(engine.images.get(changed.id)!.files.get('/app/a.txt'), 'file 0:0 644 v2');
  const nocache = await build(engine, text, { contextDir: ctx, noCache: true }, cache);
  assert.doesNotMatch(nocache.out, /Using cache/);
});

test('runBuild() copies directories by content, files by name, with --chown and --chmod', async () => {
  const engine = new FakeEngine();
  const ctx = context({ 'src/a': 'A', 'src/sub/b': 'B', 'one.txt': '1', 'x.md': 'x', 'y.md': 'y' });
  symlinkSync('/etc/passwd', join(ctx, 'escape'));
  const { id, messages } = await build(engine, 'FROM base\nWORKDIR /w\nCOPY src dst\nCOPY --chown=10:20 --chmod=600 one.txt /\nCOPY *.md rel/\n', { contextDir: ctx });
  const files = engine.images.get(id)!.files;
  assert.equal(files.get('/w/dst/a'), 'file 0:0 644 A');
  assert.equal(files.get('/w/dst/sub/b'), 'file 0:0 644 B');
  assert.equal(files.get('/one.txt'), 'file 10:20 600 1');
  assert.equal(files.get('/w/rel/x.md'), 'file 0:0 644 x');
  assert.ok(messages.length > 0);
  const createdBy = engine.images.get(id)!.createdBy!;
  assert.match(createdBy, /^\/bin\/sh -c #\(nop\) COPY multi:[0-9a-f]{64} in \/w\/rel\/ $/);
  await assert.rejects(build(engine, 'FROM base\nCOPY escape/x /\n', { contextDir: ctx }), /file not found in build context/);
  await assert.rejects(build(engine, 'FROM base\nCOPY a b c\n', { contextDir: ctx }), /line 2: COPY failed: file not found/);
  await assert.rejects(build(engine, 'FROM base\nCOPY *.md one.txt dest\n', { contextDir: ctx }), /destination must be a directory and end with a \//);
});

test('runBuild() reports a failing RUN with its code and removes its container', async () => {
  const engine = new FakeEngine();
  engine.exitCodes.set('exit 3', 3);
  await assert.rejects(build(engine, 'FROM base\nRUN exit 3\n', { contextDir: context({}) }), (e: Error & { code?: number }) => {
    assert.equal(e.message, "The command '/bin/sh -c exit 3' returned a non-zero code: 3");
    assert.equal(e.code, 3);
    return true;
  });
  assert.equal(engine.containers.size, 0);
});

test('runBuild() runs only the stages the target needs, with ARGs scoped as Docker scopes them', async () => {
  const engine = new FakeEngine();
  const text = [
    'ARG TAG=base', 'FROM $TAG AS one', 'ARG V=default', 'RUN one $V',
    'FROM base AS unused', 'RUN never',
    'FROM one AS final', 'ARG TAG', 'ARG V', 'RUN final $TAG $V',
  ].join('\n');
  const { out } = await build(engine, text, { contextDir: context({}), buildArgs: new Map([['V', 'given'], ['NOPE', 'x']]) });
  assert.deepEqual(engine.runs, [['/bin/sh', '-c', 'one $V'], ['/bin/sh', '-c', 'final $TAG $V']]);
  assert.match(out, /Step 1\/7 : FROM \$TAG AS one/);
  assert.match(out, /\[Warning\] One or more build-args \[NOPE\] were not consumed/);
  const last = [...engine.images.values()].find((i) => i.createdBy?.startsWith('|2'));
  assert.equal(last?.createdBy, '|2 TAG=base V=given /bin/sh -c final $TAG $V');
});

test('runBuild() runs ONBUILD triggers of its base and does not pass them on', async () => {
  const engine = new FakeEngine();
  const parent = await build(engine, 'FROM base\nONBUILD RUN from-trigger\n', { contextDir: context({}) });
  assert.deepEqual(engine.images.get(parent.id)!.config.config!.OnBuild, ['RUN from-trigger']);
  const child = await build(engine, `FROM ${parent.id}\nLABEL x=y\n`, { contextDir: context({}) });
  assert.match(child.out, /# Executing 1 build trigger\n/);
  assert.deepEqual(engine.runs.at(-1), ['/bin/sh', '-c', 'from-trigger']);
  assert.deepEqual(engine.images.get(child.id)!.config.config!.OnBuild, []);
});

test('runBuild() runs stages that do not need each other side by side', async () => {
  const engine = new FakeEngine();
  const text = 'FROM base AS a\nRUN make a\nFROM base AS b\nRUN make b\nFROM base\nCOPY --from=a /ran /a\nCOPY --from=b /ran /b\n';
  const { id } = await build(engine, text, { contextDir: context({}) });
  assert.equal(engine.mostRunning, 2, 'the RUNs of stages a and b overlap');
  assert.ok(engine.images.get(id));
});
