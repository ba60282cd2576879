import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isRoot, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';
import {
  getJson, makeCertificates, putBlob, putManifest, sha256hex, startFaultProxy, startReferenceRegistry, writeHtpasswd,
  type FaultProxy, type ReferenceRegistry,
} from './registry-fixtures.js';

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

describe('registry client against the reference registry', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  let work: string;
  let plain: ReferenceRegistry;
  let secure: ReferenceRegistry;
  let proxy: FaultProxy;
  let cfgDir: string;
  const berth = (args: string[], opts: { input?: string } = {}): Promise<RunResult> => d.berth(args, { ...opts, env: { DOCKER_CONFIG: cfgDir } });
  const docker = (args: string[], opts: { input?: string } = {}): Promise<RunResult> => d.docker(args, opts);
  const inspect = async (ref: string, fmt: string): Promise<string> => ok(await berth(['image', 'inspect', '-f', fmt, ref])).trim();
  /** `<repo>:1` of one uncompressed layer holding `file`, pushed to the plain registry and removed here: its layer descriptor and diffID. */
  const pushedOneLayer = async (repo: string, file: string, data: Buffer): Promise<{ layer: { digest: string; size: number }; diffId: string }> => {
    const dir = join(work, repo);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, file), data);
    const tar = join(work, `${repo}.tar`);
    assert.equal(spawnSync('tar', ['-C', dir, '--owner=0', '--group=0', '-cf', tar, file]).status, 0);
    ok(await berth(['import', tar, `${plain.host}/${repo}:1`]));
    ok(await berth(['push', `${plain.host}/${repo}:1`]));
    const m = await getJson(`http://${plain.host}`, `/v2/${repo}/manifests/1`, `${OCI_MANIFEST}, ${DOCKER_MANIFEST}`);
    ok(await berth(['rmi', `${plain.host}/${repo}:1`]));
    return { layer: (m.body.layers as Array<{ digest: string; size: number }>)[0]!, diffId: sha256hex(readFileSync(tar)) };
  };

  before(async () => {
    work = mkdtempSync('/tmp/berth-regclient-');
    cfgDir = join(work, 'cli-config');
    const certs = makeCertificates(join(work, 'tls'));
    writeHtpasswd(join(work, 'htpasswd'), 'alice', 's3cret');
    plain = await startReferenceRegistry(join(work, 'plain'));
    secure = await startReferenceRegistry(join(work, 'secure'), { tls: { cert: certs.cert, key: certs.key }, htpasswd: join(work, 'htpasswd') });
    proxy = await startFaultProxy(plain.host);
    const certsD = join(work, 'certs.d');
    mkdirSync(join(certsD, secure.host), { recursive: true });
    writeFileSync(join(certsD, secure.host, 'ca.crt'), readFileSync(certs.ca));
    d = await startDaemon({ args: ['--certs-dir', certsD, '--registry-mirror', `http://${plain.host}`] });
    await withBusybox(d);
  });

  after(async () => {
    await d?.cleanup();
    await proxy?.close();
    await plain?.stop();
    await secure?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('push records a RepoDigest; the docker CLI pulls it back and the image runs', async () => {
    const ref = `${plain.host}/bb:1`;
    ok(await berth(['tag', 'busybox', ref]));
    const out = ok(await berth(['push', ref]));
    assert.match(out, new RegExp(`The push refers to repository \\[${plain.host}/bb\\]`));
    assert.match(out, /: Pushed\n/);
    const m = /1: digest: (sha256:[a-f0-9]{64}) size: \d+/.exec(out);
    assert.ok(m, out);
    assert.match(await inspect(ref, '{{json .RepoDigests}}'), new RegExp(`${plain.host}/bb@${m[1]}`));
    const id = await inspect(ref, '{{.Id}}');
    ok(await berth(['rmi', ref]));
    const pulled = ok(await docker(['pull', ref]));
    assert.match(pulled, /1: Pulling from bb/);
    assert.match(pulled, new RegExp(`Digest: ${m[1]}`));
    assert.match(pulled, new RegExp(`Status: Downloaded newer image for ${plain.host}/bb:1`));
    assert.equal(await inspect(ref, '{{.Id}}'), id);
    assert.equal(ok(await berth(['run', '--rm', ref, 'echo', 'pulled'])).trim(), 'pulled');
    const again = ok(await berth(['pull', ref]));
    assert.match(again, new RegExp(`Status: Image is up to date for ${plain.host}/bb:1`));
    assert.doesNotMatch(again, /Pull complete/);
    // the manifest is kept in the content store with the image, across a restart's sweep
    await d.stop();
    await d.restart();
    assert.ok(existsSync(join(d.dataRoot, 'content', 'sha256', m[1]!.slice(7))));
  });

  test('a pull where every layer is present asks the registry for the manifest only', async () => {
    const ref = `${proxy.host}/bb:1`;
    ok(await berth(['pull', ref]));
    proxy.seen.length = 0;
    const t0 = process.hrtime.bigint();
    const r = await d.api('POST', `/images/create?fromImage=${encodeURIComponent(`${proxy.host}/bb`)}&tag=1`);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.equal(r.status, 200, r.body);
    assert.match(r.body, /Image is up to date/);
    assert.deepEqual(proxy.seen.filter((s) => s.path.includes('/blobs/')), []);
    console.log(`pull with every layer present: ${ms.toFixed(1)} ms over the API`);
  });

  test('a second repository mounts the layers from the first', async () => {
    ok(await berth(['tag', 'busybox', `${plain.host}/bb:1`]));
    ok(await berth(['tag', 'busybox', `${plain.host}/other:2`]));
    const out = ok(await berth(['push', `${plain.host}/other:2`]));
    assert.match(out, /: Mounted from bb\n/);
    // pushed again: the registry has every layer
    assert.match(ok(await berth(['push', `${plain.host}/other:2`])), /: Layer already exists\n/);
    const wrongPlatform = await docker(['push', '--platform', 'linux/s390x', `${plain.host}/other:2`]);
    assert.equal(wrongPlatform.code, 1);
    assert.match(wrongPlatform.stderr, /does not provide the specified platform \(linux\/s390x\)/);
  });

  test('run pulls a missing image; --pull never refuses; --pull always pulls', async () => {
    const ref = `${plain.host}/bb:1`;
    await berth(['rmi', '-f', ref]);
    const r = await berth(['run', '--rm', ref, 'echo', 'ok']);
    ok(r);
    assert.equal(r.stdout.trim(), 'ok');
    assert.match(r.stderr, new RegExp(`Unable to find image '${plain.host}/bb:1' locally`));
    assert.match(r.stderr, /Status: Downloaded newer image/);
    ok(await berth(['rmi', ref]));
    const never = await berth(['run', '--rm', '--pull', 'never', ref, 'true']);
    assert.equal(never.code, 125);
    assert.match(never.stderr, /No such image/);
    const always = await docker(['create', '--pull', 'always', ref]);
    ok(always);
    ok(await berth(['rm', always.stdout.trim()]));
  });

  test('pull by digest after the tag moved gets the old image', async () => {
    const ref = `${plain.host}/moving:1`;
    ok(await berth(['tag', 'busybox', ref]));
    const first = /digest: (sha256:[a-f0-9]{64})/.exec(ok(await berth(['push', ref])))![1]!;
    const oldId = await inspect(ref, '{{.Id}}');
    writeFileSync(join(work, 'moved.tar'), spawnSync('tar', ['-C', work, '-cf', '-', 'htpasswd']).stdout);
    ok(await berth(['import', join(work, 'moved.tar'), ref]));
    ok(await berth(['push', ref]));
    const pulled = ok(await berth(['pull', `${plain.host}/moving@${first}`]));
    assert.match(pulled, new RegExp(`Digest: ${first}`));
    assert.equal(await inspect(`${plain.host}/moving@${first}`, '{{.Id}}'), oldId);
    // -a: every tag of the repository
    ok(await berth(['tag', 'busybox', `${plain.host}/moving:2`]));
    ok(await berth(['push', `${plain.host}/moving:2`]));
    ok(await berth(['rmi', `${plain.host}/moving:1`, `${plain.host}/moving:2`]));
    const all = ok(await berth(['pull', '-a', `${plain.host}/moving`]));
    assert.match(all, /1: Pulling from moving/);
    assert.match(all, /2: Pulling from moving/);
    assert.equal(await inspect(`${plain.host}/moving:2`, '{{.Id}}'), oldId);
  });

  test('a multi-arch index pulls linux/amd64, and --platform picks another', async () => {
    const base = `http://${plain.host}`;
    ok(await berth(['tag', 'busybox', `${plain.host}/multi:amd64`]));
    ok(await berth(['push', `${plain.host}/multi:amd64`]));
    const amd = await getJson(base, '/v2/multi/manifests/amd64', `${OCI_MANIFEST}, ${DOCKER_MANIFEST}`);
    const cfgDesc = amd.body.config as { digest: string; mediaType: string };
    const cfg = await getJson(base, `/v2/multi/blobs/${cfgDesc.digest}`);
    const armCfg = Buffer.from(JSON.stringify({ ...cfg.body, architecture: 'arm64', variant: 'v8' }));
    const armCfgDigest = await putBlob(base, 'multi', armCfg);
    const mediaType = String(amd.body.mediaType);
    const arm = await putManifest(base, 'multi', 'arm64', mediaType, { ...amd.body, config: { ...cfgDesc, digest: armCfgDigest, size: armCfg.length } });
    await putManifest(base, 'multi', '1', OCI_INDEX, {
      schemaVersion: 2, mediaType: OCI_INDEX,
      manifests: [
        { mediaType, digest: arm.digest, size: arm.size, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { mediaType, digest: `sha256:${sha256hex(amd.bytes)}`, size: amd.bytes.length, platform: { os: 'linux', architecture: 'amd64' } },
      ],
    });
    ok(await berth(['pull', `${plain.host}/multi:1`]));
    assert.equal(await inspect(`${plain.host}/multi:1`, '{{.Architecture}}'), 'amd64');
    ok(await berth(['pull', '--platform', 'linux/arm64', `${plain.host}/multi:1`]));
    assert.equal(await inspect(`${plain.host}/multi:1`, '{{.Architecture}}'), 'arm64');
    const none = await berth(['pull', '--platform', 'linux/s390x', `${plain.host}/multi:1`]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no matching manifest for linux\/s390x in the manifest list entries/);
  });

  test('a zstd layer is pulled, verified and unpacked', async () => {
    const base = `http://${plain.host}`;
    ok(await berth(['tag', 'busybox', `${plain.host}/zst:base`]));
    ok(await berth(['push', `${plain.host}/zst:base`]));
    const m = await getJson(base, '/v2/zst/manifests/base', `${OCI_MANIFEST}, ${DOCKER_MANIFEST}`);
    const cfgDesc = m.body.config as { digest: string; mediaType: string };
    const cfg = (await getJson(base, `/v2/zst/blobs/${cfgDesc.digest}`)).body as { rootfs: { diff_ids: string[] } };
    const dir = join(work, 'zlayer');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'hello.txt'), 'from a zstd layer\n');
    const tar = spawnSync('tar', ['-C', dir, '--owner=0', '--group=0', '-cf', '-', 'hello.txt']).stdout;
    const zst = spawnSync('zstd', ['-q', '-c'], { input: tar }).stdout;
    const layerDigest = await putBlob(base, 'zst', zst);
    const newCfg = Buffer.from(JSON.stringify({ ...cfg, rootfs: { type: 'layers', diff_ids: [...cfg.rootfs.diff_ids, `sha256:${sha256hex(tar)}`] } }));
    const newCfgDigest = await putBlob(base, 'zst', newCfg);
    const layers = (m.body.layers as Array<{ mediaType: string; digest: string; size: number }>).map((l) => ({ ...l, mediaType: l.mediaType.includes('docker') ? 'application/vnd.oci.image.layer.v1.tar+gzip' : l.mediaType }));
    await putManifest(base, 'zst', '1', OCI_MANIFEST, {
      schemaVersion: 2, mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: newCfgDigest, size: newCfg.length },
      layers: [...layers, { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: layerDigest, size: zst.length }],
    });
    ok(await berth(['pull', `${plain.host}/zst:1`]));
    assert.equal(ok(await berth(['run', '--rm', `${plain.host}/zst:1`, 'cat', '/hello.txt'])), 'from a zstd layer\n');
  });

  test('login with htpasswd over TLS with a CA in certs.d; a wrong password is refused', async () => {
    const ref = `${secure.host}/bb:1`;
    ok(await berth(['tag', 'busybox', ref]));
    const anon = await berth(['push', ref]);
    assert.equal(anon.code, 1);
    assert.match(anon.stderr, /no basic auth credentials/);
    const wrong = await berth(['login', '-u', 'alice', '-p', 'nope', secure.host]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, new RegExp(`login attempt to https://${secure.host}/v2/ failed with status: 401 Unauthorized`));
    const good = await berth(['login', '-u', 'alice', '--password-stdin', secure.host], { input: 's3cret\n' });
    assert.match(ok(good), /Login Succeeded/);
    const cfg = JSON.parse(readFileSync(join(cfgDir, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
    assert.equal(Buffer.from(cfg.auths[secure.host]!.auth, 'base64').toString(), 'alice:s3cret');
    assert.match(ok(await berth(['push', ref])), /digest: sha256:/);
    ok(await berth(['rmi', ref]));
    assert.match(ok(await berth(['pull', ref])), /Status: Downloaded newer image/);
    assert.match(ok(await berth(['logout', secure.host])), new RegExp(`Removing login credentials for ${secure.host}`));
    const after = await berth(['pull', `${secure.host}/bb:1`]);
    assert.equal(after.code, 1);
    assert.match(after.stderr, /no basic auth credentials/);
    // the real docker CLI: login, push, pull through berthd
    assert.match(ok(await docker(['login', '-u', 'alice', '--password-stdin', secure.host], { input: 's3cret\n' })), /Login Succeeded/);
    ok(await docker(['tag', 'busybox', `${secure.host}/dk:1`]));
    assert.match(ok(await docker(['push', `${secure.host}/dk:1`])), /1: digest: sha256:[a-f0-9]{64}/);
    ok(await docker(['rmi', `${secure.host}/dk:1`]));
    assert.match(ok(await docker(['pull', `${secure.host}/dk:1`])), /Digest: sha256:/);
  });

  test('a closed port fails with connection refused and exit 1; an unknown tag with manifest unknown', async () => {
    for (const cli of [berth, docker]) {
      const r = await cli(['pull', '127.0.0.1:1/nothing:1']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Error response from daemon: Get "http:\/\/127\.0\.0\.1:1\/v2\/": dial tcp 127\.0\.0\.1:1: connect: connection refused/);
    }
    const r = await berth(['pull', `${plain.host}/bb:nope`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /manifest for .*bb:nope not found: manifest unknown: manifest unknown/);
    // distribution 2.8 answers MANIFEST_UNKNOWN for a repository it never saw (NAME_UNKNOWN is pullError's unit test)
    const repo = await docker(['pull', `${plain.host}/never-pushed:1`]);
    assert.equal(repo.code, 1);
    assert.match(repo.stderr, /manifest for .*never-pushed:1 not found: manifest unknown/);
  });

  test('docker.io pulls go to the registry mirror', async () => {
    ok(await berth(['tag', 'busybox', `${plain.host}/library/busybox:mirrored`]));
    ok(await berth(['push', `${plain.host}/library/busybox:mirrored`]));
    const out = ok(await berth(['pull', 'busybox:mirrored']));
    assert.match(out, /Status: (Downloaded newer image|Image is up to date) for busybox:mirrored/);
    assert.match(await inspect('busybox:mirrored', '{{json .RepoDigests}}'), /"busybox@sha256:/);
  });

  test('a connection dropped mid-layer: nothing partial is committed, and the next pull resumes with Range', async () => {
    const { layer } = await pushedOneLayer('big', 'blob.bin', randomBytes(3 << 20));
    const blobPath = join(d.dataRoot, 'content', 'sha256', layer.digest.slice(7));
    assert.equal(existsSync(blobPath), false);
    // every response is cut after 256 KiB: the retries resume but run out
    proxy.drop = { digest: layer.digest, bytes: 256 << 10 };
    proxy.seen.length = 0;
    const failed = await berth(['pull', `${proxy.host}/big:1`]);
    assert.equal(failed.code, 1, failed.stdout);
    assert.equal(existsSync(blobPath), false);
    assert.equal((await berth(['image', 'inspect', `${proxy.host}/big:1`])).code, 1);
    const ranges = proxy.seen.filter((s) => s.path.includes(layer.digest)).map((s) => s.range);
    assert.ok(ranges.length >= 2 && ranges[0] === undefined && ranges.slice(1).every((r) => /^bytes=\d+-$/.test(r ?? '')), JSON.stringify(ranges));
    const partial = readdirSync(join(d.dataRoot, 'content', 'ingest')).filter((n) => n === `partial-${layer.digest.slice(7)}`);
    assert.equal(partial.length, 1);
    assert.deepEqual(readdirSync(join(d.dataRoot, 'layers')).filter((n) => n.startsWith('.tmp-')), [], 'the half-unpacked layer is gone');
    // the next pull starts from what the content store holds
    proxy.drop = undefined;
    proxy.seen.length = 0;
    ok(await berth(['pull', `${proxy.host}/big:1`]));
    const resumed = proxy.seen.find((s) => s.path.includes(layer.digest));
    assert.match(resumed?.range ?? '', /^bytes=[1-9]\d*-$/);
    assert.ok(existsSync(blobPath));
    assert.equal(sha256hex(readFileSync(blobPath)), layer.digest.slice(7));
  });

  test('a layer unpacks while it downloads: a connection cut once resumes within the pull; bytes that do not match the digest leave nothing behind', async () => {
    const data = randomBytes(4 << 20);
    const { layer, diffId } = await pushedOneLayer('stream', 'data.bin', data);
    const blobPath = join(d.dataRoot, 'content', 'sha256', layer.digest.slice(7));
    const layerDir = join(d.dataRoot, 'layers', diffId); // a base layer's chain ID is its diffID
    const leftovers = (): string[] => [
      ...readdirSync(join(d.dataRoot, 'layers')).filter((n) => n.startsWith('.tmp-')),
      ...readdirSync(join(d.dataRoot, 'content', 'ingest')).filter((n) => n.includes(layer.digest.slice(7))),
    ];
    assert.equal(existsSync(layerDir), false);

    // the registry serves a flipped byte: the pull fails as dockerd words it; no blob, layer, temp dir or partial stays
    proxy.corrupt = { digest: layer.digest, at: 1 << 20 };
    const bad = await docker(['pull', `${proxy.host}/stream:1`]);
    assert.equal(bad.code, 1, bad.stdout);
    assert.match(bad.stderr, new RegExp(`filesystem layer verification failed for digest ${layer.digest}`));
    assert.equal(existsSync(blobPath), false);
    assert.equal(existsSync(layerDir), false);
    assert.deepEqual(leftovers(), []);
    proxy.corrupt = undefined;

    // cut once after 1 MiB: the same pull asks for the rest with Range, and the unpacked file is whole
    proxy.drop = { digest: layer.digest, bytes: 1 << 20, times: 1 };
    proxy.seen.length = 0;
    const out = ok(await berth(['pull', `${proxy.host}/stream:1`]));
    assert.match(out, /Downloaded newer image/);
    const ranges = proxy.seen.filter((r) => r.path.includes(layer.digest)).map((r) => r.range);
    assert.equal(ranges.length, 2, JSON.stringify(ranges));
    assert.equal(ranges[0], undefined);
    const from = Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1]);
    assert.ok(from > 0 && from <= 1 << 20, `resumed from ${ranges[1]}`);
    assert.ok(readFileSync(join(layerDir, 'diff', 'data.bin')).equals(data), 'the layer unpacked across the reconnect is whole');
    assert.equal(sha256hex(readFileSync(blobPath)), layer.digest.slice(7));
    assert.deepEqual(leftovers(), []);
    proxy.drop = undefined;
  });

  test('search through a v1 search endpoint: --limit, --filter, --no-trunc, --format', async () => {
    proxy.searchResults = [
      { name: 'library/busybox', description: 'Busybox base image, with a description longer than forty-five characters', star_count: 10, is_official: true, is_automated: false },
      { name: 'alice/busybox-tools', description: 'tools', star_count: 2, is_official: false, is_automated: false },
    ];
    const table = ok(await berth(['search', `${proxy.host}/busybox`]));
    assert.match(table, /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL\n/);
    assert.match(table, /library\/busybox\s+Busybox base image, with a description longe…\s+10\s+\[OK\]/);
    assert.match(ok(await berth(['search', '--no-trunc', `${proxy.host}/busybox`])), /longer than forty-five characters/);
    assert.equal(ok(await berth(['search', '--limit', '1', '--format', '{{.Name}}', `${proxy.host}/busybox`])), 'library/busybox\n');
    assert.equal(ok(await berth(['search', '--filter', 'stars=3', '--format', '{{.Name}} {{.StarCount}}', `${proxy.host}/busybox`])), 'library/busybox 10\n');
    assert.equal(ok(await berth(['search', '--filter', 'is-official=false', '--format', '{{.Name}}', `${proxy.host}/busybox`])), 'alice/busybox-tools\n');
    assert.match(ok(await docker(['search', '--format', '{{.Name}}:{{.IsOfficial}}', `${proxy.host}/busybox`])), /library\/busybox:\[OK\]/);
    const bad = await berth(['search', '--limit', '101', `${proxy.host}/busybox`]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /limit 101 is outside the range of \[1, 100\]/);
  });

  test('pull and push publish image events', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    ok(await berth(['tag', 'busybox', `${plain.host}/ev:1`]));
    ok(await berth(['push', `${plain.host}/ev:1`]));
    ok(await berth(['pull', `${plain.host}/ev:1`]));
    const until = Math.floor(Date.now() / 1000) + 1;
    const ev = ok(await berth(['events', '--since', String(since), '--until', String(until), '--filter', 'type=image', '--format', '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}']));
    assert.match(ev, new RegExp(`push ${plain.host}/ev:1 ${plain.host}/ev\n`));
    assert.match(ev, new RegExp(`pull ${plain.host}/ev:1 ${plain.host}/ev\n`));
  });
});
