import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { exec } from '../../host/index.js';
import { tarBuffer, file } from '../archive/tar-fixtures.js';
import { ImageService } from './image-service.js';
import { readable, snapshot } from './store-fixtures.js';

const serviceModule = new URL('./image-service.js', import.meta.url).href;

/** A child process that loads an archive and logs every event, so the test can kill it mid-way. */
const CHILD = `
import { createReadStream, appendFileSync } from 'node:fs';
const { ImageService } = await import(process.argv[2]);
const images = await ImageService.open({ root: process.argv[3] });
for await (const e of images.load(createReadStream(process.argv[4]))) appendFileSync(process.argv[5], JSON.stringify(e) + '\\n');
appendFileSync(process.argv[5], 'done\\n');
`;

test('a kill -9 at any point of a load leaves a store that opens with all or nothing of it', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-crash-'));
  try {
    const src = await ImageService.open({ root: join(dir, 'src') });
    let img = await src.importTar(readable(await tarBuffer([file('base', randomBytes(3 << 20))])));
    for (let i = 0; i < 6; i++) {
      img = await src.commit({ parent: img.id, diff: readable(await tarBuffer([file(`f${i}`, randomBytes(2 << 20))])), config: {} });
    }
    await src.tag(img.id, 'crash:test');
    const archive = join(dir, 'archive.tar');
    await new Promise<void>((res, rej) => {
      const out = createWriteStream(archive);
      out.on('finish', res).on('error', rej);
      src.save(['crash:test'], out).catch(rej);
    });
    await writeFile(join(dir, 'child.mjs'), CHILD);
    for (const killAfter of [0, 1, 3, 6, 9, 12]) {
      const root = join(dir, `dst-${killAfter}`);
      const log = join(dir, `log-${killAfter}`);
      await writeFile(log, '');
      const pid = Number((await exec('/bin/sh', ['-c', `node ${join(dir, 'child.mjs')} ${serviceModule} ${root} ${archive} ${log} >/dev/null 2>&1 & echo $!`])).stdout.trim());
      const deadline = Date.now() + 60_000;
      for (;;) {
        const lines = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
        if (lines.length >= killAfter || lines.includes('done')) break;
        if (Date.now() > deadline) throw new Error('child load made no progress');
        await new Promise((r) => setTimeout(r, 5));
      }
      try { process.kill(pid, 'SIGKILL'); } catch { /* already finished */ }
      while ((() => { try { process.kill(pid, 0); return true; } catch { return false; } })()) await new Promise((r) => setTimeout(r, 10));
      const reopened = await ImageService.open({ root });
      const list = await reopened.list();
      if (list.length > 0) {
        assert.equal(list.length, 1);
        assert.equal(list[0]!.id, img.id);
        assert.equal(reopened.rootfsFor(img.id).lowerDirs.length, 7);
      }
      const leftovers = (await snapshot(root)).filter((l) => /\.tmp|\.del-|load-/.test(l));
      assert.deepEqual(leftovers, [], `kill after ${killAfter} events`);
      // every remaining layer belongs to the image (unreferenced ones were collected)
      const layers = (await snapshot(root)).filter((l) => /^layers\/[a-f0-9]{64} d$/.test(l));
      assert.equal(layers.length, list.length > 0 ? 7 : 0, `kill after ${killAfter} events`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
