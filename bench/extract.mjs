// Layer extraction speed: applyLayer() of a 10,000-file layer (small files in 100 directories,
// with symlinks, hardlinks and a few xattrs) and of a 200 MB one-file layer (what `load` of a
// 200 MB image unpacks), from an in-memory tar into a fresh directory. Run as root after
// `npm run build`: node bench/extract.mjs [runs]. Prints the minimum and median wall time and
// the process's CPU time (user + system) of each: on a shared machine the CPU time and the
// minimum are the figures that compare.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { applyLayer } from '../dist/src/image/archive/apply-layer.js';
import { tarBuffer, file, dir, symlinkEntry, hardlinkEntry } from '../dist/src/image/archive/tar-fixtures.js';

const runs = Number(process.argv[2] ?? 5);

async function smallFiles() {
  const entries = [];
  for (let d = 0; d < 100; d++) {
    entries.push(dir(`d${d}/`, { mode: 0o755 }));
    for (let f = 0; f < 97; f++) entries.push(file(`d${d}/f${f}`, `content of ${d}/${f}\n`.repeat(4), { uid: 1000, gid: 1000 }));
    entries.push(symlinkEntry(`d${d}/link`, 'f0'));
    entries.push(hardlinkEntry(`d${d}/hard`, `d${d}/f1`));
    entries.push(file(`d${d}/cap`, 'x', { xattrs: new Map([['user.bench', Buffer.from('v')]]) }));
  }
  return tarBuffer(entries);
}

async function time(label, buf) {
  const times = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const d = await mkdtemp(join(tmpdir(), 'berth-bench-extract-'));
    try {
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      await applyLayer(Readable.from([buf]), { target: join(d, 'diff') });
      const c = process.cpuUsage(c0);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      cpu.push((c.user + c.system) / 1e3);
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const mid = Math.floor(runs / 2);
  console.log(`${label}: wall min ${times[0].toFixed(0)} ms, median ${times[mid].toFixed(0)} ms; cpu min ${cpu[0].toFixed(0)} ms, median ${cpu[mid].toFixed(0)} ms`);
}

await time('10,000-file layer', await smallFiles());
if (!process.env.SMALL_ONLY) await time('200 MB one-file layer', await tarBuffer([file('blob', randomBytes(200 << 20))]));
