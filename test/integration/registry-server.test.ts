import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { busyboxArchive } from '../../src/mkimage/index.js';
import { startDockerd, type TestDockerd } from './dockerd.js';
import { createServer } from 'node:net';
import { createServer as createHttpServer, type Server } from 'node:http';
import { X509Certificate, sign } from 'node:crypto';
import { libtrustKeyId } from '../../src/registry/server/auth/token.js';
import { eventually, isRoot, run, startDaemon, type RunResult, type TestDaemon } from './harness.js';
import { BERTH_CLI, startRegistry, type TestRegistry } from './registry-process.js';

const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

/** Every file under a directory, relative. */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{ name: string; parentPath?: string; path?: string; isFile(): boolean }>)
    .filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path ?? '', e.name).slice(dir.length + 1)).sort();
}

async function pushBlob(base: string, repo: string, blob: Buffer): Promise<Response> {
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  assert.equal(start.status, 202);
  const loc = start.headers.get('location')!;
  return fetch(`${loc}${loc.includes('?') ? '&' : '?'}digest=${sha(blob)}`, { method: 'PUT', body: blob, headers: { 'Content-Type': 'application/octet-stream' } });
}

async function pushManifest(base: string, repo: string, ref: string, manifest: unknown, mediaType = 'application/vnd.oci.image.manifest.v1+json'): Promise<Response> {
  return fetch(`${base}/v2/${repo}/manifests/${ref}`, { method: 'PUT', body: JSON.stringify(manifest), headers: { 'Content-Type': mediaType } });
}

/** An image of one config and one layer blob pushed under repo:tag; returns the manifest and its digest. */
async function pushImage(base: string, repo: string, tag: string, seed: string): Promise<{ manifest: Record<string, unknown>; digest: string; layer: Buffer; config: Buffer }> {
  const layer = Buffer.from(`layer ${seed} ${randomBytes(8).toString('hex')}`);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] }, seed }));
  assert.equal((await pushBlob(base, repo, layer)).status, 201);
  assert.equal((await pushBlob(base, repo, config)).status, 201);
  const manifest = {
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
  };
  const r = await pushManifest(base, repo, tag, manifest);
  assert.equal(r.status, 201, await r.text());
  return { manifest, digest: r.headers.get('docker-content-digest')!, layer, config };
}

async function errorCode(r: Response): Promise<string> {
  const body = (await r.json()) as { errors: Array<{ code: string }> };
  return body.errors[0]!.code;
}

describe('berth registry serve', { skip: !isRoot() && 'needs root (dockerd)' }, () => {
  const dir = mkdtempSync('/tmp/berth-regsrv-test-');
  const root = join(dir, 'root');
  const blobsDir = join(root, 'docker/registry/v2/blobs');
  let reg: TestRegistry;
  let basic: TestRegistry;
  let archive: string;

  before(async () => {
    reg = await startRegistry(dir, 'plain', `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${root}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:0\n`);
    writeFileSync(join(dir, 'htpasswd'), `alice:${bcrypt.hashSync('s3cret', 5)}\n`);
    basic = await startRegistry(dir, 'basic', `storage:\n  filesystem:\n    rootdirectory: ${join(dir, 'basic-root')}\nhttp:\n  addr: 127.0.0.1:0\nauth:\n  htpasswd:\n    realm: basic-realm\n    path: ${join(dir, 'htpasswd')}\n`);
    archive = join(dir, 'busybox.tar');
    const a = await busyboxArchive({ tag: 'busybox:latest' });
    await pipeline(a.stream, createWriteStream(archive));
    await a.done();
  });
  after(async () => {
    await reg?.stop();
    await basic?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('skopeo copies an image in and out, and inspects it', async () => {
    ok(await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `docker-archive:${archive}`, `docker://${reg.addr}/tools/busybox:1.36`], { timeoutMs: 120_000 }));
    const info = JSON.parse(ok(await run('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.addr}/tools/busybox:1.36`]))) as { Digest: string; RepoTags: string[]; Os: string; Layers: string[] };
    assert.deepEqual(info.RepoTags, ['1.36']);
    assert.equal(info.Os, 'linux');
    const head = await fetch(`${reg.url}/v2/tools/busybox/manifests/1.36`, { method: 'HEAD', headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(head.headers.get('docker-content-digest'), info.Digest);
    const out = join(dir, 'skopeo-out');
    ok(await run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${reg.addr}/tools/busybox@${info.Digest}`, `dir:${out}`], { timeoutMs: 120_000 }));
    const layerHex = info.Layers[0]!.slice('sha256:'.length);
    assert.equal(sha(readFileSync(join(out, layerHex))), info.Layers[0]);
  });

  test('real dockerd pushes to and pulls from the server', { timeout: 300_000 }, async () => {
    const n = randomInt(100, 250);
    let dockerd: TestDockerd | undefined;
    try {
      dockerd = await startDockerd(dir, { bridge: `brsrv${n}`, cidr: `172.30.${n}.1/24` });
      ok(await dockerd.docker(['load', '-i', archive], { timeoutMs: 120_000 }));
      const ref = `${reg.addr}/docker/busybox:pushed`;
      ok(await dockerd.docker(['tag', 'busybox:latest', ref]));
      const push = ok(await dockerd.docker(['push', ref], { timeoutMs: 120_000 }));
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(push)?.[1];
      assert.ok(digest, push);
      ok(await dockerd.docker(['rmi', ref, 'busybox:latest']));
      const pull = ok(await dockerd.docker(['pull', ref], { timeoutMs: 120_000 }));
      assert.match(pull, new RegExp(`Digest: ${digest}`));
      const repoDigests = ok(await dockerd.docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', ref]));
      assert.match(repoDigests, new RegExp(`${reg.addr}/docker/busybox@${digest}`));
      assert.deepEqual((await (await fetch(`${reg.url}/v2/docker/busybox/tags/list`)).json()), { name: 'docker/busybox', tags: ['pushed'] });

      // docker search speaks v1 search to the registry, answered from the catalog.
      const found = ok(await dockerd.docker(['search', '--format', '{{.Name}}', `${reg.addr}/busybox`]));
      assert.match(found, /docker\/busybox/);

      // htpasswd: a wrong password is refused, the right one logs in and pushes.
      const wrong = await dockerd.docker(['login', '-u', 'alice', '-p', 'wrong', basic.addr]);
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /unauthorized|401/i);
      ok(await dockerd.docker(['tag', ref, `${basic.addr}/private/busybox:1`]));
      const anon = await dockerd.docker(['push', `${basic.addr}/private/busybox:1`]);
      assert.notEqual(anon.code, 0);
      assert.match(anon.stderr + anon.stdout, /no basic auth credentials|unauthorized/i);
      assert.match(ok(await dockerd.docker(['login', '-u', 'alice', '--password-stdin', basic.addr], { input: 's3cret\n' })), /Login Succeeded/);
      ok(await dockerd.docker(['push', `${basic.addr}/private/busybox:1`], { timeoutMs: 120_000 }));
      const listed = await fetch(`${basic.url}/v2/private/busybox/tags/list`, { headers: { Authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}` } });
      assert.deepEqual(await listed.json(), { name: 'private/busybox', tags: ['1'] });
    } finally {
      await dockerd?.cleanup();
    }
  });

  test('a blob whose bytes do not match its digest is refused and nothing is stored', async () => {
    const before = files(blobsDir);
    const blob = Buffer.from('the real bytes');
    const wrong = sha('other bytes');
    const mono = await fetch(`${reg.url}/v2/bad/blob/blobs/uploads/?digest=${wrong}`, { method: 'POST', body: blob });
    assert.equal(mono.status, 400);
    assert.equal(await errorCode(mono), 'DIGEST_INVALID');
    const start = await fetch(`${reg.url}/v2/bad/blob/blobs/uploads/`, { method: 'POST' });
    const put = await fetch(`${start.headers.get('location')}?digest=${wrong}`, { method: 'PUT', body: blob });
    assert.equal(put.status, 400);
    assert.equal(await errorCode(put), 'DIGEST_INVALID');
    assert.deepEqual(files(blobsDir), before);
    assert.deepEqual(files(join(root, 'docker/registry/v2/repositories/bad/blob/_uploads')), []);
    const head = await fetch(`${reg.url}/v2/bad/blob/blobs/${wrong}`, { method: 'HEAD' });
    assert.equal(head.status, 404);
  });

  test('a manifest naming a missing blob is refused with MANIFEST_BLOB_UNKNOWN', async () => {
    const missing = sha('never pushed');
    const r = await pushManifest(reg.url, 'bad/manifest', 'v1', {
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: missing, size: 12 }, layers: [],
    });
    assert.equal(r.status, 400);
    const body = (await r.json()) as { errors: Array<{ code: string; detail: unknown }> };
    assert.equal(body.errors[0]!.code, 'MANIFEST_BLOB_UNKNOWN');
    assert.equal(body.errors[0]!.detail, missing);
    assert.equal((await fetch(`${reg.url}/v2/bad/manifest/manifests/v1`)).status, 404);
    const garbage = await fetch(`${reg.url}/v2/bad/manifest/manifests/v2`, { method: 'PUT', body: '{"schemaVersion": 2, "config": 5', headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(await errorCode(garbage), 'MANIFEST_INVALID');
  });

  test('repository names with "..", uppercase or bad characters are refused and nothing is written outside the root', async () => {
    for (const name of ['a/../../../etc', 'Upper/case', 'a/./b', 'a//b', '..', 'a%2f..%2fb', 'x'.repeat(256)]) {
      for (const [method, path] of [['POST', 'blobs/uploads/'], ['GET', 'tags/list'], ['PUT', 'manifests/latest']] as const) {
        const status = await new Promise<number>((res, rej) => {
          const [host, port] = reg.addr.split(':');
          const req = request({ host, port: Number(port), path: `/v2/${name}/${path}`, method }, (r) => { r.resume(); res(r.statusCode!); });
          req.on('error', rej);
          req.end(method === 'PUT' ? '{}' : undefined);
        });
        assert.ok(status === 400 || status === 404, `${method} ${name}/${path}: ${status}`);
      }
    }
    const r = await fetch(`${reg.url}/v2/Upper/blobs/uploads/`, { method: 'POST' });
    assert.equal(await errorCode(r), 'NAME_INVALID');
    assert.ok(!existsSync(join(root, 'docker/registry/v2/repositories/Upper')));
    assert.ok(!existsSync(join(dir, 'etc')) && !existsSync(join(root, 'etc')));
    assert.equal((await fetch(`${reg.url}/v2/`)).status, 200);
  });

  test('an upload interrupted halfway resumes from what arrived, or is cancelled without a trace', async () => {
    const blob = randomBytes(4 << 20);
    const start = await fetch(`${reg.url}/v2/resume/me/blobs/uploads/`, { method: 'POST' });
    const loc = start.headers.get('location')!;
    // Half the bytes, then the connection dies.
    await new Promise<void>((res) => {
      const req = request(loc, { method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' } });
      req.on('error', () => res());
      req.write(blob.subarray(0, blob.length / 2), () => setTimeout(() => { req.destroy(); res(); }, 200));
    });
    const status = await eventually(async () => {
      const s = await fetch(loc);
      return s.status === 204 && /^0-(\d+)$/.exec(s.headers.get('range') ?? '') ? s : undefined;
    });
    const have = Number(/^0-(\d+)$/.exec(status.headers.get('range')!)![1]) + 1;
    assert.ok(have > 0 && have <= blob.length / 2, `server holds ${have} bytes`);
    const wrongStart = await fetch(loc, { method: 'PATCH', body: blob.subarray(have + 1), headers: { 'Content-Range': `${have + 1}-${blob.length - 1}` } });
    assert.equal(wrongStart.status, 416);
    const rest = await fetch(loc, { method: 'PATCH', body: blob.subarray(have), headers: { 'Content-Range': `${have}-${blob.length - 1}`, 'Content-Type': 'application/octet-stream' } });
    assert.equal(rest.status, 202);
    assert.equal(rest.headers.get('range'), `0-${blob.length - 1}`);
    const done = await fetch(`${rest.headers.get('location')}?digest=${sha(blob)}`, { method: 'PUT' });
    assert.equal(done.status, 201, await done.clone().text());
    const got = Buffer.from(await (await fetch(`${reg.url}/v2/resume/me/blobs/${sha(blob)}`)).arrayBuffer());
    assert.ok(got.equals(blob));

    const again = await fetch(`${reg.url}/v2/resume/me/blobs/uploads/`, { method: 'POST' });
    const loc2 = again.headers.get('location')!;
    await fetch(loc2, { method: 'PATCH', body: blob.subarray(0, 1000) });
    assert.equal((await fetch(loc2, { method: 'DELETE' })).status, 204);
    const gone = await fetch(loc2);
    assert.equal(gone.status, 404);
    assert.equal(await errorCode(gone), 'BLOB_UPLOAD_UNKNOWN');
    assert.deepEqual(readdirSync(join(root, 'docker/registry/v2/repositories/resume/me/_uploads')), []);
  });

  test('100 concurrent uploads of the same blob store it once', async () => {
    const blob = randomBytes(256 << 10);
    const results = await Promise.all(Array.from({ length: 100 }, async (_, i) => {
      if (i % 2 === 0) return (await fetch(`${reg.url}/v2/many/same/blobs/uploads/?digest=${sha(blob)}`, { method: 'POST', body: blob })).status;
      const s = await fetch(`${reg.url}/v2/many/same/blobs/uploads/`, { method: 'POST' });
      const p = await fetch(s.headers.get('location')!, { method: 'PATCH', body: blob });
      return (await fetch(`${p.headers.get('location')}?digest=${sha(blob)}`, { method: 'PUT' })).status;
    }));
    assert.deepEqual(new Set(results), new Set([201]));
    const hex = sha(blob).slice(7);
    assert.deepEqual(files(join(blobsDir, 'sha256', hex.slice(0, 2))).filter((f) => f.startsWith(hex)), [`${hex}/data`]);
    assert.deepEqual(readdirSync(join(root, 'docker/registry/v2/repositories/many/same/_uploads')), []);
    const got = Buffer.from(await (await fetch(`${reg.url}/v2/many/same/blobs/${sha(blob)}`)).arrayBuffer());
    assert.ok(got.equals(blob));
  });

  test('blobs serve byte ranges; uploads mount across repositories', async () => {
    const blob = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
    assert.equal((await pushBlob(reg.url, 'range/src', blob)).status, 201);
    const part = await fetch(`${reg.url}/v2/range/src/blobs/${sha(blob)}`, { headers: { Range: 'bytes=10-19' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 10-19/${blob.length}`);
    assert.equal(await part.text(), 'abcdefghij');
    const beyond = await fetch(`${reg.url}/v2/range/src/blobs/${sha(blob)}`, { headers: { Range: 'bytes=100-' } });
    assert.equal(beyond.status, 416);
    assert.equal((await fetch(`${reg.url}/v2/range/dst/blobs/${sha(blob)}`, { method: 'HEAD' })).status, 404);
    const mount = await fetch(`${reg.url}/v2/range/dst/blobs/uploads/?mount=${sha(blob)}&from=range/src`, { method: 'POST' });
    assert.equal(mount.status, 201);
    assert.equal(mount.headers.get('docker-content-digest'), sha(blob));
    assert.equal((await fetch(`${reg.url}/v2/range/dst/blobs/${sha(blob)}`, { method: 'HEAD' })).headers.get('content-length'), String(blob.length));
    const noSource = await fetch(`${reg.url}/v2/range/dst/blobs/uploads/?mount=${sha('nothing')}&from=range/src`, { method: 'POST' });
    assert.equal(noSource.status, 202);
    // Deleting a blob unlinks it from one repository; the other keeps it.
    assert.equal((await fetch(`${reg.url}/v2/range/dst/blobs/${sha(blob)}`, { method: 'DELETE' })).status, 202);
    assert.equal((await fetch(`${reg.url}/v2/range/dst/blobs/${sha(blob)}`, { method: 'HEAD' })).status, 404);
    assert.equal((await fetch(`${reg.url}/v2/range/src/blobs/${sha(blob)}`, { method: 'HEAD' })).status, 200);
    assert.equal(await errorCode(await fetch(`${reg.url}/v2/range/dst/blobs/${sha(blob)}`, { method: 'DELETE' })), 'BLOB_UNKNOWN');
  });

  test('tags/list and _catalog page with n and last and a Link header; v1 search answers from the catalog', async () => {
    for (const tag of ['c', 'a', 'b']) await pushImage(reg.url, 'paged/repo', tag, tag);
    const page1 = await fetch(`${reg.url}/v2/paged/repo/tags/list?n=2`);
    assert.deepEqual(await page1.json(), { name: 'paged/repo', tags: ['a', 'b'] });
    assert.equal(page1.headers.get('link'), '</v2/paged/repo/tags/list?last=b&n=2>; rel="next"');
    assert.deepEqual(await (await fetch(`${reg.url}/v2/paged/repo/tags/list?n=2&last=b`)).json(), { name: 'paged/repo', tags: ['c'] });
    assert.equal(await errorCode(await fetch(`${reg.url}/v2/paged/repo/tags/list?n=x`)), 'PAGINATION_NUMBER_INVALID');
    assert.equal(await errorCode(await fetch(`${reg.url}/v2/no/such/tags/list`)), 'NAME_UNKNOWN');
    const all = ((await (await fetch(`${reg.url}/v2/_catalog`)).json()) as { repositories: string[] }).repositories;
    assert.ok(all.includes('paged/repo') && all.includes('tools/busybox'), all.join(' '));
    const first = await fetch(`${reg.url}/v2/_catalog?n=1`);
    assert.equal(((await first.json()) as { repositories: string[] }).repositories.length, 1);
    assert.match(first.headers.get('link') ?? '', /^<\/v2\/_catalog\?last=.+&n=1>; rel="next"$/);
    const search = (await (await fetch(`${reg.url}/v1/search?q=paged`)).json()) as { num_results: number; results: Array<{ name: string }> };
    assert.equal(search.num_results, 1);
    assert.equal(search.results[0]!.name, 'paged/repo');
  });

  test('manifests by tag and digest, referrers, deletion and garbage-collect', async () => {
    const img = await pushImage(reg.url, 'gc/app', 'v1', 'gc');
    const byDigest = await fetch(`${reg.url}/v2/gc/app/manifests/${img.digest}`);
    assert.equal(byDigest.status, 200);
    assert.equal(byDigest.headers.get('content-type'), 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(sha(Buffer.from(await byDigest.arrayBuffer())), img.digest);
    const wrongDigest = await pushManifest(reg.url, 'gc/app', sha('x'), img.manifest);
    assert.equal(await errorCode(wrongDigest), 'DIGEST_INVALID');

    // An artifact whose subject is the image.
    const empty = Buffer.from('{}');
    assert.equal((await pushBlob(reg.url, 'gc/app', empty)).status, 201);
    const sig = await pushManifest(reg.url, 'gc/app', 'sig', {
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.example.sig',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha(empty), size: 2 }, layers: [],
      subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: img.digest, size: JSON.stringify(img.manifest).length },
    });
    assert.equal(sig.status, 201);
    assert.equal(sig.headers.get('oci-subject'), img.digest);
    const refs = (await (await fetch(`${reg.url}/v2/gc/app/referrers/${img.digest}`)).json()) as { manifests: Array<{ digest: string; artifactType: string }> };
    assert.deepEqual(refs.manifests.map((m) => [m.digest, m.artifactType]), [[sig.headers.get('docker-content-digest'), 'application/vnd.example.sig']]);
    const filtered = await fetch(`${reg.url}/v2/gc/app/referrers/${img.digest}?artifactType=other`);
    assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
    assert.deepEqual(((await filtered.json()) as { manifests: unknown[] }).manifests, []);

    // A Docker manifest list: served as is to clients that accept lists, its amd64 manifest to those that do not.
    const list = { schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: img.digest, size: JSON.stringify(img.manifest).length, platform: { os: 'linux', architecture: 'amd64' } },
    ] };
    const listPut = await pushManifest(reg.url, 'gc/app', 'multi', list, list.mediaType);
    assert.equal(listPut.status, 201, await listPut.clone().text());
    const asList = await fetch(`${reg.url}/v2/gc/app/manifests/multi`, { headers: { Accept: `${list.mediaType}, application/vnd.docker.distribution.manifest.v2+json` } });
    assert.equal(asList.headers.get('content-type'), list.mediaType);
    const noList = await fetch(`${reg.url}/v2/gc/app/manifests/multi`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(noList.headers.get('docker-content-digest'), img.digest);
    assert.equal((await fetch(`${reg.url}/v2/gc/app/manifests/multi`, { method: 'DELETE' })).status, 202);

    // Tag v1 moves on; the old image is only reachable by digest, then deleted.
    const img2 = await pushImage(reg.url, 'gc/app', 'v1', 'gc2');
    assert.equal((await fetch(`${reg.url}/v2/gc/app/manifests/${img.digest}`, { method: 'HEAD' })).status, 200);
    assert.equal((await fetch(`${reg.url}/v2/gc/app/manifests/${img.digest}`, { method: 'DELETE' })).status, 202);
    assert.equal(await errorCode(await fetch(`${reg.url}/v2/gc/app/manifests/${img.digest}`)), 'MANIFEST_UNKNOWN');
    const layerPath = join(blobsDir, 'sha256', sha(img.layer).slice(7, 9), sha(img.layer).slice(7), 'data');
    assert.ok(existsSync(layerPath));
    const dry = ok(await run(process.execPath, [BERTH_CLI, 'registry', 'garbage-collect', '--dry-run', reg.config]));
    assert.match(dry, new RegExp(`blob eligible for deletion: ${sha(img.layer)}`));
    assert.ok(existsSync(layerPath));
    ok(await run(process.execPath, [BERTH_CLI, 'registry', 'garbage-collect', reg.config]));
    assert.ok(!existsSync(layerPath));
    assert.equal((await fetch(`${reg.url}/v2/gc/app/blobs/${sha(img.layer)}`, { method: 'HEAD' })).status, 404);
    const kept = await fetch(`${reg.url}/v2/gc/app/manifests/v1`);
    assert.equal(kept.headers.get('docker-content-digest'), img2.digest);
    assert.equal((await fetch(`${reg.url}/v2/gc/app/blobs/${sha(img2.layer)}`)).status, 200);
  });

  describe('with htpasswd and TLS', () => {
    let secure: TestRegistry;
    const certs = join(dir, 'certs');
    const tls = join(dir, 'tls');
    before(async () => {
      mkdirSync(certs, { recursive: true });
      mkdirSync(tls, { recursive: true });
      const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(tls, 'server.key'), '-out', join(tls, 'server.crt')], { encoding: 'utf8' });
      assert.equal(gen.status, 0, gen.stderr);
      writeFileSync(join(certs, 'ca.crt'), readFileSync(join(tls, 'server.crt')));
      secure = await startRegistry(dir, 'secure', [
        'version: 0.1', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'secure-root')}`,
        'http:', '  addr: 127.0.0.1:0', '  tls:', `    certificate: ${join(tls, 'server.crt')}`, `    key: ${join(tls, 'server.key')}`,
        'auth:', '  htpasswd:', '    realm: berth-test', `    path: ${join(dir, 'htpasswd')}`, '',
      ].join('\n'), { scheme: 'https' });
    });
    after(async () => { await secure?.stop(); });

    test('skopeo with the CA in a certs directory and the right password copies; a wrong password or no CA is refused', async () => {
      const dest = `docker://${secure.addr}/private/busybox:1`;
      const wrong = await run('skopeo', ['copy', '--quiet', '--dest-cert-dir', certs, '--dest-creds', 'alice:wrong', `docker-archive:${archive}`, dest], { timeoutMs: 120_000 });
      assert.notEqual(wrong.code, 0);
      assert.match(wrong.stderr, /unauthorized|authentication required/i);
      const noCa = await run('skopeo', ['inspect', '--creds', 'alice:s3cret', dest]);
      assert.notEqual(noCa.code, 0);
      assert.match(noCa.stderr, /x509|certificate/i);
      ok(await run('skopeo', ['copy', '--quiet', '--dest-cert-dir', certs, '--dest-creds', 'alice:s3cret', `docker-archive:${archive}`, dest], { timeoutMs: 120_000 }));
      const info = JSON.parse(ok(await run('skopeo', ['inspect', '--cert-dir', certs, '--creds', 'alice:s3cret', dest]))) as { RepoTags: string[] };
      assert.deepEqual(info.RepoTags, ['1']);
    });

    test('the challenge names the realm, and the daemon keeps serving after bad credentials', async () => {
      const curl = (args: string[]): Promise<RunResult> => run('curl', ['-s', '--cacert', join(certs, 'ca.crt'), '-o', '/dev/null', '-D', '-', ...args]);
      const anon = ok(await curl([`${secure.url}/v2/`]));
      assert.match(anon, /^HTTP\/1\.1 401/);
      assert.match(anon, /www-authenticate: Basic realm="berth-test"/i);
      assert.match(ok(await curl(['-u', 'alice:nope', `${secure.url}/v2/_catalog`])), /^HTTP\/1\.1 401/);
      assert.match(ok(await curl(['-u', 'bob:s3cret', `${secure.url}/v2/`])), /^HTTP\/1\.1 401/);
      assert.match(ok(await curl(['-u', 'alice:s3cret', `${secure.url}/v2/`])), /^HTTP\/1\.1 200/);
    });
  });
});

describe('berth registry serve with token auth', { skip: !isRoot() && 'needs root' }, () => {
  const dir = mkdtempSync('/tmp/berth-regtoken-test-');
  let reg: TestRegistry;
  let tokens: Server;
  const issued: string[] = [];

  before(async () => {
    const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=token-signer',
      '-keyout', join(dir, 'signer.key'), '-out', join(dir, 'signer.crt')], { encoding: 'utf8' });
    assert.equal(gen.status, 0, gen.stderr);
    const key = readFileSync(join(dir, 'signer.key'), 'utf8');
    const kid = libtrustKeyId(new X509Certificate(readFileSync(join(dir, 'signer.crt'))).publicKey);
    // A token server as the distribution spec describes one: basic auth in, a JWT granting the asked scope out.
    tokens = createHttpServer((req, res) => {
      const url = new URL(req.url!, 'http://tokens');
      if (req.headers.authorization !== `Basic ${Buffer.from('alice:s3cret').toString('base64')}`) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"details":"wrong credentials"}');
        return;
      }
      const access = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).map((s) => {
        const [type, ...rest] = s.split(':');
        const actions = rest.pop()!.split(',');
        return { type, name: rest.join(':'), actions };
      });
      issued.push(...access.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`));
      const now = Math.floor(Date.now() / 1000);
      const h = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid })).toString('base64url');
      const p = Buffer.from(JSON.stringify({ iss: 'test-issuer', sub: 'alice', aud: url.searchParams.get('service'), exp: now + 300, nbf: now - 5, iat: now, jti: String(Math.random()), access })).toString('base64url');
      const sig = sign('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: `${h}.${p}.${sig}`, expires_in: 300 }));
    });
    await new Promise<void>((r) => tokens.listen(0, '127.0.0.1', r));
    const realm = `http://127.0.0.1:${(tokens.address() as { port: number }).port}/token`;
    reg = await startRegistry(dir, 'token', [
      'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'root')}`, 'http:', '  addr: 127.0.0.1:0',
      'auth:', '  token:', `    realm: ${realm}`, '    service: berth-test', '    issuer: test-issuer', `    rootcertbundle: ${join(dir, 'signer.crt')}`, '',
    ].join('\n'));
  });
  after(async () => {
    await reg?.stop();
    await new Promise((r) => tokens?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  test('skopeo gets a token from the realm and pushes and pulls; without credentials it is refused', async () => {
    const a = await busyboxArchive({ tag: 'busybox:latest' });
    await pipeline(a.stream, createWriteStream(join(dir, 'bb.tar')));
    await a.done();
    const challenge = await fetch(`${reg.url}/v2/app/busybox/manifests/1`);
    assert.equal(challenge.status, 401);
    assert.match(challenge.headers.get('www-authenticate') ?? '', /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="berth-test",scope="repository:app\/busybox:pull"$/);
    const dest = `docker://${reg.addr}/app/busybox:1`;
    const refused = await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', 'alice:wrong', `docker-archive:${join(dir, 'bb.tar')}`, dest], { timeoutMs: 120_000 });
    assert.notEqual(refused.code, 0);
    ok(await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', 'alice:s3cret', `docker-archive:${join(dir, 'bb.tar')}`, dest], { timeoutMs: 120_000 }));
    assert.ok(issued.some((s) => s.startsWith('repository:app/busybox:') && s.includes('push')), issued.join(' '));
    const info = JSON.parse(ok(await run('skopeo', ['inspect', '--tls-verify=false', '--creds', 'alice:s3cret', dest]))) as { RepoTags: string[] };
    assert.deepEqual(info.RepoTags, ['1']);
  });
});

describe('the registry image (berth image mkimage registry)', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  before(async () => { d = await startDaemon(); });
  after(async () => { await d?.cleanup(); });

  test('runs the server as a container that stops cleanly on SIGTERM', { timeout: 300_000 }, async () => {
    ok(await d.berth(['image', 'mkimage', 'registry'], { timeoutMs: 180_000 }));
    const cfg = JSON.parse(ok(await d.docker(['image', 'inspect', '--format', '{{json .Config}}', 'registry:latest']))) as { Entrypoint: string[]; Cmd: string[]; ExposedPorts: object; Volumes: object };
    assert.deepEqual(cfg.Cmd, ['serve', '/etc/docker/registry/config.yml']);
    assert.deepEqual(Object.keys(cfg.ExposedPorts), ['5000/tcp']);
    assert.deepEqual(Object.keys(cfg.Volumes), ['/var/lib/registry']);
    const port = await new Promise<number>((res) => {
      const srv = createServer().listen(0, '127.0.0.1', () => { const p = (srv.address() as { port: number }).port; srv.close(() => res(p)); });
    });
    const id = ok(await d.docker(['run', '-d', '--network', 'host', '-e', `REGISTRY_HTTP_ADDR=127.0.0.1:${port}`, 'registry'])).trim();
    try {
      await eventually(async () => (await fetch(`http://127.0.0.1:${port}/v2/`).catch(() => undefined))?.status === 200, 60_000);
      const blob = Buffer.from('in a container');
      assert.equal((await pushBlob(`http://127.0.0.1:${port}`, 'in/container', blob)).status, 201);
      assert.equal(Buffer.from(await (await fetch(`http://127.0.0.1:${port}/v2/in/container/blobs/${sha(blob)}`)).arrayBuffer()).toString(), 'in a container');
      // The addon came into the image and the server loaded it: blobs go out by sendfile there too.
      const pid = ok(await d.docker(['inspect', '--format', '{{.State.Pid}}', id])).trim();
      assert.match(readFileSync(`/proc/${pid}/maps`, 'utf8'), /\/usr\/lib\/berth\/native\/berth-host\.node/);
      const big = randomBytes(3 << 20);
      assert.equal((await pushBlob(`http://127.0.0.1:${port}`, 'in/container', big)).status, 201);
      assert.ok(Buffer.from(await (await fetch(`http://127.0.0.1:${port}/v2/in/container/blobs/${sha(big)}`)).arrayBuffer()).equals(big));
      const part = await fetch(`http://127.0.0.1:${port}/v2/in/container/blobs/${sha(big)}`, { headers: { Range: 'bytes=1000-2000999' } });
      assert.ok(Buffer.from(await part.arrayBuffer()).equals(big.subarray(1000, 2_001_000)));
      ok(await d.docker(['stop', id], { timeoutMs: 60_000 }));
      assert.equal(ok(await d.docker(['inspect', '--format', '{{.State.ExitCode}}', id])).trim(), '0');
    } finally {
      await d.docker(['rm', '-f', '-v', id]);
    }
  });
});
