import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { buildHostileTar, HOSTILE_CASES, makeSentinel, recordTree } from '../../src/image/archive/hostile-fixtures.js';
import { file, symlinkEntry, tarBuffer } from '../../src/image/archive/tar-fixtures.js';
import { isRoot, startDaemon, type TestDaemon } from './harness.js';

/*
 * The hostile layers of src/image/archive/hostile-fixtures.ts sent to a berthd of its own,
 * through `POST /images/create?fromSrc=-` (docker import) and `POST /images/load` (docker load
 * of a docker-archive holding the layer), beside a sentinel tree in the daemon's test directory
 * that every layer aims at. After each, the sentinel tree and everything around the data root
 * are unchanged, the answer is a 400 (import) or an in-stream error (load, as Docker's
 * postImagesLoad) with the refusal's message, and the daemon still answers /_ping.
 */

function post(sock: string, path: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((res, rej) => {
    const req = request({ socketPath: sock, method: 'POST', path, headers: { 'Content-Type': 'application/x-tar', 'Content-Length': body.length } }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', rej);
    req.end(body);
  });
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A docker-archive (docker save's layout) of one image whose only layer is `layer`. */
async function dockerArchive(layer: Buffer, tag: string): Promise<Buffer> {
  let plain = layer;
  try {
    if (layer[0] === 0x1f && layer[1] === 0x8b) plain = gunzipSync(layer);
  } catch { /* a corrupt layer: its load fails anyway */ }
  const config = Buffer.from(JSON.stringify({
    architecture: process.arch === 'x64' ? 'amd64' : process.arch, os: 'linux', config: {},
    rootfs: { type: 'layers', diff_ids: [sha(plain)] }, history: [{ created: '2026-01-01T00:00:00Z' }],
  }));
  const configName = `${sha(config).slice(7)}.json`;
  const manifest = Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: ['l/layer.tar'] }]));
  return tarBuffer([file(configName, config), file('l/layer.tar', layer), file('manifest.json', manifest)]);
}

describe('hostile archives through the API', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  let out: string;
  let before_: Awaited<ReturnType<typeof recordTree>>;
  before(async () => {
    d = await startDaemon();
    out = join(d.dir, 'out');
    await makeSentinel(out);
  });
  after(async () => { await d?.cleanup(); });

  /** Everything in the test directory but what the daemon itself changes (its data, exec root and log). */
  const snapshot = () => recordTree(d.dir, new Set(['data', 'exec', 'berthd.log', 'berth.sock', 'berthd.pid', 'docker-config']));

  const expect = (ok: boolean, refused: RegExp | undefined, status: number, message: string, what: string): void => {
    if (!refused) {
      assert.equal(ok, true, `${what}: applied (${status} ${message})`);
    } else {
      assert.equal(ok, false, `${what}: refused`);
      assert.match(message, refused, what);
      assert.doesNotMatch(message, /node:|at .*\.js:\d+|TypeError|ERR_/, `${what}: no Node internals in the message`);
    }
  };

  test('import: every hostile layer is applied safely or refused with 400, nothing outside changes', async () => {
    before_ = await snapshot();
    for (const [i, c] of HOSTILE_CASES.entries()) {
      const tar = await buildHostileTar(c, out);
      const r = await post(d.sock, `/images/create?fromSrc=-&repo=hostile&tag=i${i}`, tar);
      assert.ok(r.status === 200 || r.status === 400, `${c.name}: status ${r.status} ${r.text}`);
      const message = r.status === 400 ? (JSON.parse(r.text) as { message: string }).message : '';
      expect(r.status === 200, c.refused, r.status, message || r.text, `import, ${c.name}`);
      assert.deepEqual(await snapshot(), before_, `import, ${c.name}: nothing outside the data root changed`);
      assert.equal((await d.api('GET', '/_ping')).status, 200, `import, ${c.name}: the daemon serves`);
    }
  });

  test('load: every hostile layer in a docker-archive is applied safely or refused in the stream, nothing outside changes', async () => {
    before_ = await snapshot();
    for (const [i, c] of HOSTILE_CASES.entries()) {
      const archive = await dockerArchive(await buildHostileTar(c, out), `hostile:l${i}`);
      const r = await post(d.sock, '/images/load', archive);
      assert.equal(r.status, 200, `${c.name}: status ${r.status} ${r.text}`);
      const error = r.text.split('\r\n').filter(Boolean).map((l) => JSON.parse(l) as { error?: string }).find((m) => m.error)?.error;
      expect(error === undefined, c.refused, r.status, error ?? r.text, `load, ${c.name}`);
      assert.deepEqual(await snapshot(), before_, `load, ${c.name}: nothing outside the data root changed`);
      assert.equal((await d.api('GET', '/_ping')).status, 200, `load, ${c.name}: the daemon serves`);
    }
  });

  test('load: hostile archive layouts (links out of the archive, conflicting names, headers Go refuses) are refused', async () => {
    before_ = await snapshot();
    await mkdir(join(d.dir, 'scratch'), { recursive: true });
    const layouts: Array<[string, Buffer, RegExp]> = [
      ['manifest.json a symlink out', await tarBuffer([symlinkEntry('manifest.json', join(out, 'victim'))]), /does not contain a manifest.json|manifest manifest.json not found/],
      ['manifest.json a symlink climbing out', await tarBuffer([symlinkEntry('manifest.json', '../../../../../../etc/passwd')]), /does not contain a manifest.json|manifest manifest.json not found/],
      ['a file where a directory is', await tarBuffer([file('l', 'x'), file('l/layer.tar', 'y')]), /conflicts with another entry/],
      ['a name climbing out', await tarBuffer([file('../manifest.json', '[]')]), /path escapes the layer root/],
    ];
    for (const [name, archive, re] of layouts) {
      await writeFile(join(d.dir, 'scratch', 'last.tar'), archive);
      const r = await post(d.sock, '/images/load', archive);
      const error = r.text.split('\r\n').filter(Boolean).map((l) => JSON.parse(l) as { error?: string }).find((m) => m.error)?.error ?? '';
      assert.match(error, re, `${name}: ${r.status} ${r.text}`);
      assert.equal((await d.api('GET', '/_ping')).status, 200, `${name}: the daemon serves`);
    }
    const after_ = await recordTree(d.dir, new Set(['data', 'exec', 'berthd.log', 'berth.sock', 'berthd.pid', 'docker-config', 'scratch']));
    const want = new Map([...before_].filter(([k]) => k !== ''));
    assert.deepEqual(new Map([...after_].filter(([k]) => k !== '')), want);
  });
});
