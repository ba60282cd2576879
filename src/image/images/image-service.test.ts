import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, InvalidArgumentError, NotFoundError, sha256, parseFilters } from '../../base/index.js';
import { ImageService } from './image-service.js';
import { layerTar, readable, withRoot } from './store-fixtures.js';
import { tarBuffer, file } from '../archive/tar-fixtures.js';

test('importTar() creates a one-layer image with --change lines applied and Docker IDs', async () => {
  await withRoot(async (root) => {
    const images = await ImageService.open({ root });
    const tar = await layerTar('a');
    const rec = await images.importTar(readable(gzipSync(tar)), {
      repoTag: 'example/app:v1',
      message: 'Imported from -',
      changes: [
        'CMD ["sh", "-c", "echo hi"]', 'ENTRYPOINT /bin/tool --flag', 'ENV A=1 B="two words"', 'ENV LEGACY value with spaces',
        'EXPOSE 80 53/udp', 'LABEL org.x=y "quoted key"=v', 'WORKDIR /srv', 'WORKDIR sub', 'USER nobody', 'VOLUME ["/data"]',
        'STOPSIGNAL SIGINT', 'ONBUILD RUN echo child',
      ],
    });
    assert.deepEqual(rec.repoTags, ['example/app:v1']);
    assert.deepEqual(rec.layers, [sha256(tar)]);
    assert.equal(rec.comment, 'Imported from -');
    const bytes = await images.configBytes(rec.id);
    assert.equal(sha256(bytes), rec.id);
    const c = rec.config.config!;
    assert.deepEqual(c.Cmd, ['sh', '-c', 'echo hi']);
    assert.deepEqual(c.Entrypoint, ['/bin/sh', '-c', '/bin/tool --flag']);
    assert.deepEqual(c.Env, ['A=1', 'B=two words', 'LEGACY=value with spaces']);
    assert.deepEqual(c.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
    assert.deepEqual(c.Labels, { 'org.x': 'y', 'quoted key': 'v' });
    assert.equal(c.WorkingDir, '/srv/sub');
    assert.equal(c.User, 'nobody');
    assert.deepEqual(c.Volumes, { '/data': {} });
    assert.equal(c.StopSignal, 'SIGINT');
    assert.deepEqual(c.OnBuild, ['RUN echo child']);
    assert.equal(rec.config.os, 'linux');
    assert.equal(rec.config.history?.[0]?.comment, 'Imported from -');
    assert.equal(rec.size, 'content of a\n'.length + 'tool a'.length);
    // every way of naming it finds it
    for (const name of ['example/app:v1', 'docker.io/example/app:v1', rec.id, rec.id.slice(7), rec.id.slice(7, 19), `sha256:${rec.id.slice(7, 15)}`]) {
      assert.equal(images.get(name).id, rec.id, name);
    }
    assert.throws(() => images.get('example/app'), (e: unknown) => e instanceof NotFoundError && e.message === 'No such image: example/app:latest');
    assert.throws(() => images.get('Busybox'), (e: unknown) => e instanceof InvalidArgumentError && /must be lowercase/.test(e.message));
    await assert.rejects(images.importTar(readable(tar), { changes: ['RUN echo no'] }), (e: unknown) => e instanceof InvalidArgumentError && e.message === 'run is not a valid change command');
  });
});

test('tag(), list() filters and reopening the store keep Docker semantics', async () => {
  await withRoot(async (root) => {
    let images = await ImageService.open({ root });
    const a = await images.importTar(readable(await layerTar('a')), { repoTag: 'alpha', changes: ['LABEL tier=base'] });
    await new Promise((r) => setImmediate(r));
    const b = await images.importTar(readable(await layerTar('b')), { repoTag: 'beta:1' });
    const dangling = await images.importTar(readable(await layerTar('c')));
    await images.tag('alpha', 'registry.local:5000/team/alpha:prod');
    assert.deepEqual(images.get('alpha').repoTags, ['alpha:latest', 'registry.local:5000/team/alpha:prod']);
    await assert.rejects(images.tag('alpha', `x@sha256:${'0'.repeat(64)}`), /refusing to create a tag with a digest reference/);
    const ids = async (filters?: string): Promise<string[]> => (await images.list({ filters: parseFilters(filters, ['dangling', 'label', 'before', 'since', 'reference', 'until']) })).map((r) => r.id).sort();
    assert.deepEqual(await ids(), [a.id, b.id, dangling.id].sort());
    assert.deepEqual(await ids('{"dangling":["true"]}'), [dangling.id]);
    assert.deepEqual(await ids('{"dangling":["false"]}'), [a.id, b.id].sort());
    assert.deepEqual(await ids('{"label":["tier=base"]}'), [a.id]);
    assert.deepEqual(await ids('{"reference":["be*"]}'), [b.id]);
    assert.deepEqual(await ids('{"reference":["*/team/*"]}'), [a.id]);
    const filtered = await images.list({ filters: parseFilters('{"reference":["*/team/*"]}', ['reference']) });
    assert.deepEqual(filtered[0]!.repoTags, ['registry.local:5000/team/alpha:prod']);
    await assert.rejects(images.list({ filters: parseFilters('{"dangling":["maybe"]}', ['dangling']) }), /invalid filter 'dangling=\[maybe\]'/);
    images = await ImageService.open({ root });
    assert.deepEqual(images.get('registry.local:5000/team/alpha:prod').id, a.id);
    const repos = JSON.parse(await readFile(join(root, 'image', 'repositories.json'), 'utf8')) as { Repositories: Record<string, Record<string, string>> };
    assert.equal(repos.Repositories['alpha']?.['alpha:latest'], a.id);
  });
});

test('remove() untags, deletes layers and reports Docker conflicts', async () => {
  await withRoot(async (root) => {
    const images = await ImageService.open({ root });
    const img = await images.importTar(readable(await layerTar('a')), { repoTag: 'one' });
    await images.tag('one', 'two');
    const short = img.id.slice(7, 19);
    // by name with another tag left: only untag
    assert.deepEqual(await images.remove('two'), [{ Untagged: 'two:latest' }]);
    await images.tag('one', 'two');
    // by ID with two tags: soft conflict unless forced
    await assert.rejects(images.remove(short), (e: unknown) => e instanceof ConflictError && e.message === `conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`);
    // by name, single reference, used by a container
    await images.remove('two');
    await assert.rejects(images.remove('one', { inUse: () => 'c0ffee1234567890' }), (e: unknown) => e instanceof ConflictError && e.message === `conflict: unable to remove repository reference "one" (must force) - container c0ffee123456 is using its referenced image ${short}`);
    await assert.rejects(images.remove(img.id, { force: true, inUse: () => ({ id: 'c0ffee1234567890', running: true }) }), (e: unknown) => e instanceof ConflictError && e.message === `conflict: unable to delete ${short} (cannot be forced) - image is being used by running container c0ffee123456`);
    await assert.rejects(images.remove(short, { inUse: () => 'c0ffee1234567890' }), /\(must be forced\) - image is being used by stopped container c0ffee123456/);
    const out = await images.remove('one');
    assert.deepEqual(out, [{ Untagged: 'one:latest' }, { Deleted: img.id }, { Deleted: img.layers[0] }]);
    assert.throws(() => images.get(img.id), NotFoundError);
    assert.equal(images.layer(img.layers[0]!), undefined);
  });
});

test('commit() stacks a layer on a parent; history() and rmi of the child prune the parent chain', async () => {
  await withRoot(async (root) => {
    const images = await ImageService.open({ root });
    const base = await images.importTar(readable(await layerTar('base')), { repoTag: 'base' });
    const child = await images.commit({ parent: base.id, diff: readable(await tarBuffer([file('app', 'x')])), config: { Cmd: ['app'] }, createdBy: '/bin/sh -c make', repoTag: 'child' });
    const meta = await images.commit({ parent: child.id, config: { Cmd: ['app', '--v'] }, createdBy: 'CMD ["app","--v"]' });
    assert.equal(child.parent, base.id);
    assert.equal(child.layers.length, 2);
    assert.deepEqual(meta.layers, child.layers);
    const rows = images.history(meta.id);
    assert.deepEqual(rows.map((r) => r.createdBy), ['CMD ["app","--v"]', '/bin/sh -c make', '']);
    assert.deepEqual(rows.map((r) => r.id), [meta.id, child.id, base.id]);
    assert.deepEqual(rows[1]!.tags, ['child:latest']);
    assert.equal(rows[0]!.size, 0);
    assert.equal(rows[1]!.size, 1);
    assert.equal(images.rootfsFor(meta.id).lowerDirs.length, 2);
    assert.ok(images.rootfsFor(meta.id).lowerDirs[0]!.endsWith('/diff'));
    // the base has a child: a hard conflict
    await assert.rejects(images.remove(base.id, { force: true }), /cannot be forced\) - image has dependent child images/);
    const gone = await images.remove(meta.id);
    assert.deepEqual(gone.map((r) => r.Deleted ?? r.Untagged), [meta.id]);
    const pruned = await images.prune({ all: true, inUse: () => false });
    assert.ok(pruned.deleted.some((d) => d.Deleted === child.id));
    assert.ok(pruned.deleted.some((d) => d.Deleted === base.id));
    assert.equal(pruned.spaceReclaimed, base.size + 1);
    assert.deepEqual(await images.list(), []);
  });
});

test('prune() removes only dangling images by default and skips images in use', async () => {
  await withRoot(async (root) => {
    const images = await ImageService.open({ root });
    const tagged = await images.importTar(readable(await layerTar('t')), { repoTag: 'keep' });
    const used = await images.importTar(readable(await layerTar('u')));
    const free = await images.importTar(readable(await layerTar('f')));
    const r = await images.prune({ inUse: (id) => id === used.id });
    assert.deepEqual(r.deleted.filter((d) => d.Deleted?.startsWith('sha256:') && d.Deleted === free.id).length, 1);
    assert.deepEqual((await images.list()).map((i) => i.id).sort(), [tagged.id, used.id].sort());
  });
});

test('importTar() accepts xz, bzip2 and zstd layers through the host tools', async () => {
  await withRoot(async (root) => {
    const images = await ImageService.open({ root: join(root, 'store') });
    const tar = await layerTar('compressed');
    const { writeFile } = await import('node:fs/promises');
    const { exec } = await import('../../host/index.js');
    await writeFile(join(root, 'layer.tar'), tar);
    for (const [tool, ext] of [['xz', 'xz'], ['bzip2', 'bz2'], ['zstd', 'zst']] as const) {
      await exec(tool, tool === 'zstd' ? ['-q', '-k', '-f', 'layer.tar'] : ['-k', '-f', 'layer.tar'], { cwd: root });
      const rec = await images.importTar(readable(await readFile(join(root, `layer.tar.${ext}`))));
      assert.deepEqual(rec.layers, [sha256(tar)], tool);
    }
  });
});

test('registerLayer() + createImageFromConfig() build a pulled image with tag and digest references', async () => {
  await withRoot(async (root) => {
    const images = await ImageService.open({ root });
    const l1 = await layerTar('p1');
    const l2 = await layerTar('p2');
    const r1 = await images.registerLayer(readable(gzipSync(l1)), { expectedDiffId: sha256(l1) });
    const r2 = await images.registerLayer(readable(l2), { parent: r1.layer.chainId, expectedBlobDigest: sha256(l2) });
    assert.equal(r1.layer.compression, 'gzip');
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(l1), sha256(l2)] } }));
    const manifestDigest = sha256('a manifest');
    const rec = await images.createImageFromConfig(config, { repoTags: ['quay.io/org/pulled:1'], repoDigests: [`quay.io/org/pulled@${manifestDigest}`] });
    assert.equal(rec.id, sha256(config));
    assert.deepEqual(rec.repoDigests, [`quay.io/org/pulled@${manifestDigest}`]);
    assert.equal(images.get(`quay.io/org/pulled@${manifestDigest}`).id, rec.id);
    await assert.rejects(images.registerLayer(readable(l2), { expectedDiffId: sha256('other') }), /invalid diffID/);
    // the last tag of a repository takes its digest references along
    assert.deepEqual(await images.remove('quay.io/org/pulled:1'), [
      { Untagged: 'quay.io/org/pulled:1' }, { Untagged: `quay.io/org/pulled@${manifestDigest}` },
      { Deleted: rec.id }, { Deleted: r2.layer.chainId }, { Deleted: r1.layer.chainId },
    ]);
  });
});

test('reclaimHolds() releases the holds of containers that are gone, freeing the layers only they kept', async () => {
  await withRoot(async (root) => {
    const images = await ImageService.open({ root });
    const a = await images.importTar(readable(await layerTar('a')), { repoTag: 'a:1' });
    const b = await images.importTar(readable(await layerTar('b')), { repoTag: 'b:1' });
    await images.retainRootfs('container:live', a.id);
    await images.retainRootfs('container:gone', b.id);
    const layerB = images.rootfsFor(b.id).chainIds[0]!;
    await images.remove('b:1', { force: true });
    assert.ok(images.layer(layerB), 'the gone container still pins its layer');
    const reopened = await ImageService.open({ root });
    assert.deepEqual(await reopened.reclaimHolds(new Set(['live'])), [layerB]);
    assert.equal(reopened.layer(layerB), undefined);
    assert.ok(reopened.layer(reopened.rootfsFor(a.id).chainIds[0]!), 'the live container\'s layer stays');
    assert.deepEqual(JSON.parse(await readFile(join(root, 'image', 'holds.json'), 'utf8')), { 'container:live': reopened.rootfsFor(a.id).chainIds });
  });
});

test('open() deletes blobs no image or layer references and the temp files of interrupted writes', async () => {
  await withRoot(async (root) => {
    const images = await ImageService.open({ root });
    const a = await images.importTar(readable(await layerTar('a')), { repoTag: 'a:1' });
    // committed just before a crash, before anything came to reference it
    const stray = await images.content.put(Buffer.from('{"not":"referenced"}'));
    await writeFile(join(root, 'image', '.repositories.json.0123456789ab.tmp'), '{');
    const reopened = await ImageService.open({ root });
    assert.equal(await reopened.content.has(stray), false);
    assert.equal(await reopened.content.has(a.id), true);
    assert.ok(await reopened.content.has(reopened.layer(reopened.rootfsFor(a.id).chainIds[0]!)!.tarDigest));
    assert.ok(!(await readdir(join(root, 'image'))).some((n) => n.endsWith('.tmp')));
  });
});
