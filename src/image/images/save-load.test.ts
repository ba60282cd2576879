import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InvalidArgumentError, sha256 } from '../../base/index.js';
import { readTar } from '../archive/index.js';
import { tarBuffer, file, chunksOf } from '../archive/tar-fixtures.js';
import { ImageService } from './image-service.js';
import { collect, layerTar, readable, saveToBuffer, snapshot, withRoot } from './store-fixtures.js';

async function archiveFiles(buf: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for await (const e of readTar(chunksOf(buf, 4096))) {
    const parts: Buffer[] = [];
    for await (const c of e.body()) parts.push(c);
    files.set(e.header.name, Buffer.concat(parts));
  }
  return files;
}

test('save() writes the Docker 25 layout and load() into another store gives identical IDs', async () => {
  await withRoot(async (root) => {
    const a = await ImageService.open({ root: join(root, 'a') });
    const base = await a.importTar(readable(gzipSync(await layerTar('base'))), { repoTag: 'base:1' });
    const child = await a.commit({ parent: 'base:1', diff: readable(await tarBuffer([file('etc/.wh.base', ''), file('app', 'x')])), config: { Cmd: ['app'] }, repoTag: 'example.com/child:2' });
    const archive = await saveToBuffer(a, ['base:1', 'example.com/child:2']);
    const files = await archiveFiles(archive);
    const names = [...files.keys()];
    assert.deepEqual(names.slice(0, 2), ['blobs/', 'blobs/sha256/']);
    assert.deepEqual(names.slice(-4), ['index.json', 'manifest.json', 'oci-layout', 'repositories']);
    assert.equal(files.get('oci-layout')!.toString(), '{"imageLayoutVersion": "1.0.0"}');
    for (const [n, body] of files) if (n.startsWith('blobs/sha256/') && n.length > 14) assert.equal(sha256(body).slice(7), n.slice(13), n);
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as Array<{ Config: string; RepoTags: string[]; Layers: string[] }>;
    assert.deepEqual(manifest.map((m) => m.RepoTags), [['base:1'], ['example.com/child:2']]);
    assert.deepEqual(manifest[1]!.Layers, child.layers.map((d) => `blobs/sha256/${d.slice(7)}`));
    const index = JSON.parse(files.get('index.json')!.toString()) as { manifests: Array<{ annotations: Record<string, string> }> };
    assert.equal(index.manifests[0]!.annotations['io.containerd.image.name'], 'docker.io/library/base:1');
    assert.deepEqual(JSON.parse(files.get('repositories')!.toString()), { base: { '1': base.layers[0]!.slice(7) }, 'example.com/child': { '2': child.layers[1]!.slice(7) } });

    const b = await ImageService.open({ root: join(root, 'b') });
    const events = await collect(b.load(readable(archive)));
    const messages = events.filter((e) => e.type === 'message').map((e) => (e as { text: string }).text);
    assert.deepEqual(messages, ['Loaded image: base:1\n', 'Loaded image: example.com/child:2\n']);
    assert.ok(events.some((e) => e.type === 'progress' && e.status === 'Loading layer'));
    assert.equal(b.get('base:1').id, base.id);
    assert.equal(b.get('example.com/child:2').id, child.id);
    assert.equal(b.get('example.com/child:2').size, child.size);
    // and the loaded store saves byte-identical archives
    assert.deepEqual(await saveToBuffer(b, ['base:1', 'example.com/child:2']), archive);
  });
});

test('load() of an untagged save reports "Loaded image ID" and accepts gzip archives', async () => {
  await withRoot(async (root) => {
    const a = await ImageService.open({ root: join(root, 'a') });
    const img = await a.importTar(readable(await layerTar('x')));
    const archive = await saveToBuffer(a, [img.id]);
    const b = await ImageService.open({ root: join(root, 'b') });
    const events = await collect(b.load(readable(gzipSync(archive)), { quiet: true }));
    assert.deepEqual(events, [{ type: 'message', text: `Loaded image ID: ${img.id}\n` }]);
  });
});

test('load() reads the legacy layout with <id>/layer.tar and symlinked shared layers', async () => {
  await withRoot(async (root) => {
    const l1 = await layerTar('one');
    const l2 = await layerTar('two');
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [sha256(l1), sha256(l2)] }, history: [{ created_by: 'a' }, { created_by: 'b' }] }));
    const config2 = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(l1)] } }));
    const id = sha256(config).slice(7);
    const id2 = sha256(config2).slice(7);
    const archive = await tarBuffer([
      file('aaa/layer.tar', l1), file('bbb/layer.tar', l2),
      { header: { name: 'ccc/layer.tar', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, mtime: 0, linkname: '../aaa/layer.tar' } },
      file(`${id}.json`, config), file(`${id2}.json`, config2),
      file('manifest.json', JSON.stringify([
        { Config: `${id}.json`, RepoTags: ['legacy:latest'], Layers: ['aaa/layer.tar', 'bbb/layer.tar'] },
        { Config: `${id2}.json`, RepoTags: null, Layers: ['ccc/layer.tar'] },
      ])),
    ]);
    const images = await ImageService.open({ root });
    await collect(images.load(readable(archive)));
    assert.equal(images.get('legacy').id, `sha256:${id}`);
    assert.equal(images.get(id2).layers[0], sha256(l1));
  });
});

test('load() of a truncated or corrupt archive leaves the store exactly as before', async () => {
  await withRoot(async (root) => {
    const src = await ImageService.open({ root: join(root, 'src') });
    const big = await layerTar('big', [file('blob.bin', Buffer.alloc(300_000, 7))]);
    await src.importTar(readable(big), { repoTag: 'first' });
    await src.importTar(readable(await layerTar('second', [file('more.bin', Buffer.alloc(200_000, 3))])), { repoTag: 'second' });
    const archive = await saveToBuffer(src, ['first', 'second']);

    const dst = await ImageService.open({ root: join(root, 'dst') });
    await dst.importTar(readable(await layerTar('existing')), { repoTag: 'first' });
    const before = await snapshot(join(root, 'dst'));
    for (const cut of [1000, Math.floor(archive.length / 3), archive.length - 3000, archive.length - 700]) {
      await assert.rejects(collect(dst.load(readable(archive.subarray(0, cut)))), InvalidArgumentError, `cut at ${cut}`);
      assert.deepEqual(await snapshot(join(root, 'dst')), before, `cut at ${cut}`);
    }
    // corrupt: the second image's config promises a diffID its layer does not have, after the first image's layers went in
    const files = await archiveFiles(archive);
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as Array<{ Config: string; Layers: string[]; RepoTags: string[] }>;
    const cfg = JSON.parse(files.get(manifest[1]!.Config)!.toString()) as { rootfs: { diff_ids: string[] } };
    cfg.rootfs.diff_ids[0] = sha256('not the layer');
    const cfgBytes = Buffer.from(JSON.stringify(cfg));
    manifest[1]!.Config = `blobs/sha256/${sha256(cfgBytes).slice(7)}`;
    const entries = [...files].filter(([n]) => !n.endsWith('/') && n !== 'manifest.json').map(([n, b]) => file(n, b));
    entries.push(file(manifest[1]!.Config, cfgBytes), file('manifest.json', JSON.stringify(manifest)));
    await assert.rejects(collect(dst.load(readable(await tarBuffer(entries)))), (e: unknown) => e instanceof InvalidArgumentError && /invalid diffID/.test(e.message));
    assert.deepEqual(await snapshot(join(root, 'dst')), before);
    // and the store still loads and works
    const again = await ImageService.open({ root: join(root, 'dst') });
    assert.equal((await again.list()).length, 1);
  });
});

test('open() cleans up after a crash: temp layers, staged loads and unreferenced layers go', async () => {
  await withRoot(async (root) => {
    const images = await ImageService.open({ root });
    const img = await images.importTar(readable(await layerTar('keep')), { repoTag: 'keep' });
    const orphan = await images.registerLayer(readable(await layerTar('orphan')));
    await mkdir(join(root, 'layers', '.tmp-deadbeef', 'diff'), { recursive: true });
    await mkdir(join(root, 'image', 'tmp', 'load-x'), { recursive: true });
    await writeFile(join(root, 'content', 'ingest', 'partial'), 'half');
    await writeFile(join(root, 'image', 'meta', `.${'1'.repeat(64)}.json.abc.tmp`), '{');
    const reopened = await ImageService.open({ root });
    assert.equal(reopened.get('keep').id, img.id);
    assert.equal(reopened.layer(orphan.layer.chainId), undefined);
    const snap = await snapshot(root);
    assert.ok(!snap.some((l) => l.includes('.tmp') || l.includes('partial') || l.includes('load-x')), snap.join('\n'));
    assert.ok(!snap.some((l) => l.includes(orphan.layer.tarDigest.slice(7))), 'orphan blob removed');
    assert.equal(JSON.parse(await readFile(join(root, 'layers', img.layers[0]!.slice(7), 'layer.json'), 'utf8')).diffId, img.layers[0]);
  });
});

test('open() drops image metadata that is torn or names a config it does not have, and keeps the rest', async () => {
  await withRoot(async (root) => {
    const images = await ImageService.open({ root });
    const img = await images.importTar(readable(await layerTar('keep')), { repoTag: 'keep' });
    const meta = join(root, 'image', 'meta');
    await writeFile(join(meta, `${'2'.repeat(64)}.json`), '{"id":');
    await writeFile(join(meta, `${'3'.repeat(64)}.json`), JSON.stringify({ id: `sha256:${'3'.repeat(64)}` }));
    await writeFile(join(meta, 'not-an-image.json'), '{}');
    const reopened = await ImageService.open({ root });
    assert.deepEqual((await reopened.list()).map((i) => i.id), [img.id]);
    assert.deepEqual((await readdir(meta)).sort(), [`${img.id.slice(7)}.json`, 'not-an-image.json']);
  });
});

test('load() aborted by its signal removes what it added', async () => {
  await withRoot(async (root) => {
    const src = await ImageService.open({ root: join(root, 'src') });
    let img = await src.importTar(readable(await layerTar('a', [file('big', Buffer.alloc(2 << 20, 1))])));
    img = await src.commit({ parent: img.id, diff: readable(await tarBuffer([file('big2', Buffer.alloc(2 << 20, 2))])), config: {}, repoTag: 'abort:me' });
    const archive = await saveToBuffer(src, ['abort:me']);
    const dst = await ImageService.open({ root: join(root, 'dst') });
    const before = await snapshot(join(root, 'dst'));
    const ac = new AbortController();
    const seen: string[] = [];
    await assert.rejects((async () => {
      for await (const e of dst.load(readable(archive), { signal: ac.signal })) {
        seen.push(e.type);
        if (e.type === 'progress' && e.current === e.total) ac.abort();
      }
    })(), (e: unknown) => (e as Error).name === 'AbortError');
    assert.ok(seen.includes('progress'));
    assert.deepEqual(await snapshot(join(root, 'dst')), before);
    assert.throws(() => dst.get('abort:me'));
  });
});
