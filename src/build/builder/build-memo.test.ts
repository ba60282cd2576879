import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NotFoundError } from '../../base/index.js';
import { BuildMemo, MemoRecorder } from './build-memo.js';
import type { BuildCache, BuildEngine, BuildMessage } from './engine.js';

/** An engine with images by reference and a log of tags; every other call is a step that runs. */
function fakes(images: Record<string, string>, steps: Record<string, string>) {
  const tags: string[] = [];
  const ran: string[] = [];
  const runs = (name: string) => async (): Promise<never> => {
    ran.push(name);
    throw new Error(`${name} ran`);
  };
  const engine = {
    image: async (ref: string, opts: { progress?: (l: string) => void }) => {
      const id = images[ref];
      if (!id) throw new NotFoundError(`No such image: ${ref}`);
      if (ref.startsWith('remote/')) opts.progress?.('Pulling');
      return { id, config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } } };
    },
    tag: async (id: string, ref: string) => {
      tags.push(`${ref}=${id}`);
    },
    pathKind: async () => 'dir',
    resolveOwner: async () => ({ uid: 0, gid: 0 }),
    createContainer: runs('createContainer'), runContainer: runs('runContainer'), copyInto: runs('copyInto'), commit: runs('commit'),
    imageFromHistory: runs('imageFromHistory'), removeContainer: runs('removeContainer'), removeMountStubs: runs('removeMountStubs'),
    cacheDir: runs('cacheDir'), scratchView: runs('scratchView'), mountImage: runs('mountImage'),
  } as unknown as BuildEngine;
  const cache: BuildCache = { get: async (k) => steps[k], set: async () => {} };
  return { engine, cache, tags, ran };
}

/** A fully cached two-step build, through the recorder. */
async function cachedBuild(rec: MemoRecorder, emit: (m: BuildMessage) => void = () => {}): Promise<string> {
  const out = (m: BuildMessage): void => {
    rec.emit(m);
    emit(m);
  };
  const base = await rec.engine.image('busybox', { pull: 'missing' });
  out({ stream: `Step 1/2 : FROM busybox\n ---> ${base.id}\n` });
  const step = await rec.cache.get('k1');
  out({ stream: ' ---> Using cache\n' });
  out({ aux: { ID: step! } });
  await rec.engine.tag(step!, 'app:latest');
  out({ stream: 'Successfully tagged app:latest\n' });
  return step!;
}

test('BuildMemo replays a fully cached build: the same messages and tags, nothing run', async () => {
  const f = fakes({ busybox: 'sha256:base' }, { k1: 'sha256:step' });
  const rec = new MemoRecorder(f.engine, f.cache);
  const first: BuildMessage[] = [];
  const id = await cachedBuild(rec, (m) => first.push(m));
  const entry = rec.entry(id);
  assert.ok(entry, 'a build of cache hits only is remembered');
  const memo = new BuildMemo();
  memo.remember('key', entry);
  const again: BuildMessage[] = [];
  assert.equal(await memo.replay('key', { engine: f.engine, cache: f.cache, emit: (m) => again.push(m) }), 'sha256:step');
  assert.deepEqual(again, first);
  assert.deepEqual(f.tags, ['app:latest=sha256:step', 'app:latest=sha256:step']);
  assert.deepEqual(f.ran, []);
});

test('BuildMemo does not replay when a base reference or a step key names another image, or is gone', async () => {
  for (const change of ['retag', 'rmi', 'prune'] as const) {
    const images: Record<string, string> = { busybox: 'sha256:base' };
    const steps: Record<string, string> = { k1: 'sha256:step' };
    const f = fakes(images, steps);
    const rec = new MemoRecorder(f.engine, f.cache);
    const memo = new BuildMemo();
    memo.remember('key', rec.entry(await cachedBuild(rec))!);
    if (change === 'retag') images.busybox = 'sha256:newer';
    if (change === 'rmi') delete images.busybox;
    if (change === 'prune') delete steps.k1;
    const emitted: BuildMessage[] = [];
    const tagsBefore = f.tags.length;
    assert.equal(await memo.replay('key', { engine: f.engine, cache: f.cache, emit: (m) => emitted.push(m) }), undefined, change);
    assert.deepEqual(emitted, [], `${change}: nothing emitted before the real build`);
    assert.equal(f.tags.length, tagsBefore, `${change}: nothing tagged`);
    // Put back as it was, the build is still not replayed: the entry is forgotten, not only refused.
    images.busybox = 'sha256:base';
    steps.k1 = 'sha256:step';
    const later: BuildMessage[] = [];
    assert.equal(await memo.replay('key', { engine: f.engine, cache: f.cache, emit: (m) => later.push(m) }), undefined, `${change}: the entry is forgotten`);
    assert.deepEqual(later, []);
  }
});

test('MemoRecorder remembers no build with a cache miss, a step that ran, a pull or a URL source', async () => {
  const f = fakes({ busybox: 'sha256:base', 'remote/x': 'sha256:pulled' }, {});
  const miss = new MemoRecorder(f.engine, f.cache);
  await miss.cache.get('unknown');
  assert.equal(miss.entry('sha256:x'), undefined, 'a miss');

  const ran = new MemoRecorder(f.engine, f.cache);
  await assert.rejects(ran.engine.commit({ config: {}, createdBy: 'x' }));
  assert.equal(ran.entry('sha256:x'), undefined, 'a commit');

  const pulled = new MemoRecorder(f.engine, f.cache);
  await pulled.engine.image('remote/x', { pull: 'missing', progress: () => {} });
  assert.equal(pulled.entry('sha256:x'), undefined, 'a pull');

  const always = new MemoRecorder(f.engine, f.cache);
  await always.engine.image('busybox', { pull: 'always' });
  assert.equal(always.entry('sha256:x'), undefined, '--pull');

  const url = new MemoRecorder(f.engine, f.cache);
  url.remote();
  assert.equal(url.entry('sha256:x'), undefined, 'ADD from a URL');
});

test('BuildMemo.key() changes with the request and with any byte of the context', () => {
  const ctx = [Buffer.from('tar bytes'), Buffer.from('more')];
  const k = BuildMemo.key(['Dockerfile', ['app']], ctx);
  assert.equal(BuildMemo.key(['Dockerfile', ['app']], [Buffer.from('tar bytesmore')]), k, 'chunking does not matter');
  assert.notEqual(BuildMemo.key(['Dockerfile', ['app2']], ctx), k);
  assert.notEqual(BuildMemo.key(['Dockerfile', ['app']], [Buffer.from('tar bytesmorE')]), k);
});
