// Tar parsing speed, berth's reader (src/image/archive/tar-reader.ts) against tar-stream 3
// (docs/decisions/0009-extraction.md): both read the same in-memory tars, fed in 64 KiB
// chunks, and consume every body. Run after `npm run build`: node bench/tar-read.mjs [runs].
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { readTar } from '../dist/src/image/archive/tar-reader.js';
import { tarBuffer, file, dir } from '../dist/src/image/archive/tar-fixtures.js';

const require = createRequire(import.meta.url);
let tarStream;
try { tarStream = require('tar-stream'); } catch { /* not installed: berth's reader only */ }
const runs = Number(process.argv[2] ?? 7);

function chunks(buf) {
  const out = [];
  for (let i = 0; i < buf.length; i += 65536) out.push(buf.subarray(i, i + 65536));
  return out;
}

async function own(buf) {
  let n = 0;
  for await (const e of readTar(Readable.from(chunks(buf)))) {
    for await (const c of e.body()) n += c.length;
  }
  return n;
}

async function viaTarStream(buf) {
  const extract = tarStream.extract();
  Readable.from(chunks(buf)).pipe(extract);
  let n = 0;
  for await (const entry of extract) {
    for await (const c of entry) n += c.length;
  }
  return n;
}

async function time(label, fn, buf) {
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    await fn(buf);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e3);
  }
  cpu.sort((a, b) => a - b);
  console.log(`${label}: cpu min ${cpu[0].toFixed(1)} ms, median ${cpu[Math.floor(runs / 2)].toFixed(1)} ms`);
}

const entries = [];
for (let d = 0; d < 100; d++) {
  entries.push(dir(`d${d}/`));
  for (let f = 0; f < 99; f++) entries.push(file(`d${d}/f${f}`, `content ${d}/${f}\n`.repeat(4)));
}
const small = await tarBuffer(entries);
const big = await tarBuffer([file('blob', randomBytes(200 << 20))]);
for (const [name, buf] of [['10,000 entries', small], ['200 MB file', big]]) {
  await time(`berth readTar, ${name}`, own, buf);
  if (tarStream) await time(`tar-stream, ${name}`, viaTarStream, buf);
}
