// The builder's context hash on its own: DIR is packed with tar and unpacked as berthd unpacks a
// build context (digests taken on the way), then a cached `COPY . /ctx/` is timed through runBuild
// with an engine that answers from memory (no daemon, no upload). Not a test. Run with berthd's
// V8 flags, as berthd runs:
//   node --max-semi-space-size=1 --optimize-for-size --no-opt --no-maglev bench/context-hash.mjs DIR [runs]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDockerfile, runBuild } from '../dist/src/build/index.js';
import { applyLayer } from '../dist/src/image/index.js';
import { HeapMode } from '../dist/src/daemon/heap-mode.js';

const [dir, runs = '5'] = process.argv.slice(2);
if (!dir) throw new Error('usage: context-hash.mjs DIR [runs]');
// berthd runs a build in transfer mode (decision 0017): so does this.
new HeapMode().enter();
const ctx = mkdtempSync(join(tmpdir(), 'berth-bench-ctx-'));
try {
  const digests = new Map();
  const tar = spawn('tar', ['-C', dir, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let t = process.hrtime.bigint();
  await applyLayer(tar.stdout, { target: ctx, digests });
  console.log(`unpacked ${digests.size} files in ${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(0)} ms`);
  const base = { id: `sha256:${'b'.repeat(64)}`, config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {} } };
  const engine = { image: async () => base, pathKind: async () => 'dir', tag: async () => {} };
  const times = [];
  for (let i = 0; i < Number(runs); i++) {
    t = process.hrtime.bigint();
    await runBuild({
      dockerfile: readDockerfile('FROM base\nCOPY . /ctx/\n'), contextDir: ctx, contextDigests: digests, tags: [], buildArgs: new Map(),
      noCache: false, pull: false, labels: {}, rm: true, host: {}, engine,
      cache: { get: async () => base.id, set: async () => {} }, emit: () => {},
    });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(`context hash: median ${times[times.length >> 1].toFixed(0)} ms over ${runs} runs (${times.map((x) => x.toFixed(0)).join(', ')})`);
} finally {
  rmSync(ctx, { recursive: true, force: true });
}
