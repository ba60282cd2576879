// `docker stats --no-stream` over N running containers: berthd against dockerd, in one run.
// Not a test: run by hand as root after `npm run build`:
//   node bench/stats-no-stream.mjs [N=100] [rounds=5]
// berthd runs through the integration harness (own data root, socket, bridge, subnet; removed at
// the end); dockerd gets its own socket, data root, exec root and bridge, and --iptables=false so
// that it leaves the host's shared DOCKER chains alone. Also prints the CPU share each engine
// reports for a container spinning on one CPU.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDaemon, withBusybox, DOCKER, run } from '../dist/test/integration/harness.js';

const N = Number(process.argv[2] ?? 100);
const ROUNDS = Number(process.argv[3] ?? 5);
const berth = await startDaemon();
const dir = mkdtempSync('/tmp/berth-bench-stats-');
const dsock = join(dir, 'docker.sock');
const bridge = `dst${process.pid % 10000}`;
let dockerd;
const docker = (sock, args, opts = {}) => run(DOCKER, ['-H', `unix://${sock}`, ...args], { timeoutMs: 600_000, ...opts });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  spawnSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
  spawnSync('ip', ['addr', 'add', '172.31.243.1/24', 'dev', bridge]);
  spawnSync('ip', ['link', 'set', bridge, 'up']);
  dockerd = spawn('dockerd', ['-H', `unix://${dsock}`, '--data-root', join(dir, 'docker'), '--exec-root', join(dir, 'docker-run'),
    '--pidfile', join(dir, 'dockerd.pid'), '--bridge', bridge, '--iptables=false', '--ip-masq=false'], { stdio: 'ignore', detached: true });
  for (let i = 0; i < 200 && (await docker(dsock, ['version'])).code !== 0; i++) await new Promise((r) => setTimeout(r, 200));
  await withBusybox(berth);
  const tar = join(dir, 'busybox.tar');
  await berth.berth(['save', '-o', tar, 'busybox']);
  await docker(dsock, ['load', '-i', tar]);
  const engines = [['berthd', berth.sock], ['dockerd', dsock]];
  for (const [name, sock] of engines) {
    const t0 = Date.now();
    for (let i = 0; i < N; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, N - i) }, () => docker(sock, ['run', '-d', 'busybox', 'sleep', '3600'])));
    }
    console.log(`${name}: ${N} containers started in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const times = { berthd: [], dockerd: [] };
  for (let r = 0; r < ROUNDS; r++) {
    // The engines in turn, round by round, so that a change in the machine's load hits both.
    for (const [name, sock] of engines) {
      const t0 = process.hrtime.bigint();
      const res = await docker(sock, ['stats', '--no-stream']);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const rows = res.stdout.trim().split('\n').length - 1;
      if (res.code !== 0 || rows !== N) throw new Error(`${name}: stats gave ${rows} rows: ${res.stderr}`);
      times[name].push(ms);
    }
  }
  const b = median(times.berthd);
  const d = median(times.dockerd);
  console.log(`docker stats --no-stream, ${N} running containers, median of ${ROUNDS}: berthd ${b.toFixed(0)} ms, dockerd ${d.toFixed(0)} ms, berthd ÷ dockerd ${(b / d).toFixed(2)} (goal ≤ 0.5)`);
  for (const [name, sock] of engines) {
    await docker(sock, ['run', '-d', '--name', 'burn', 'busybox', 'sh', '-c', 'while :; do :; done']);
    const s = await docker(sock, ['stats', '--no-stream', '--format', '{{.CPUPerc}}', 'burn']);
    console.log(`${name}: a container spinning on one CPU reads ${s.stdout.trim()}`);
    await docker(sock, ['rm', '-f', 'burn']);
  }
  console.log(`load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
} finally {
  const ids = (await docker(dsock, ['ps', '-aq'])).stdout.split('\n').filter(Boolean);
  if (ids.length) await docker(dsock, ['rm', '-f', ...ids]);
  if (dockerd) { dockerd.kill('SIGTERM'); await new Promise((r) => dockerd.once('exit', r)); }
  for (const m of readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(dir)).reverse()) spawnSync('umount', ['-l', m]);
  spawnSync('ip', ['link', 'del', bridge]);
  rmSync(dir, { recursive: true, force: true });
  await berth.cleanup();
}
