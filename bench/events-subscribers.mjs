// Does watching events slow the engine? `run --rm busybox true` timed alone and with 20
// GET /events subscribers open (one of them never reading), in alternating rounds so that the
// machine's drift falls on both sides; prints both medians and their ratio.
// With the daemon's pid it also reports the daemon's CPU time per run on each side.
//   node bench/events-subscribers.mjs /path/to/berth.sock [rounds] [docker-cli] [daemon-pid]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';

const [socketPath, roundsArg = '10', cli = '/usr/local/bin/docker', pid] = process.argv.slice(2);
if (!socketPath) throw new Error('usage: node bench/events-subscribers.mjs <socket> [rounds] [docker-cli] [daemon-pid]');

/** utime + stime of the daemon in clock ticks (100 per second here). */
const cpuTicks = () => {
  if (!pid) return 0;
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
};

const runOnce = () => new Promise((resolve, reject) => {
  const t0 = performance.now();
  const child = spawn(cli, ['-H', `unix://${socketPath}`, 'run', '--rm', 'busybox', 'true'], { stdio: 'ignore' });
  child.on('error', reject);
  child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`run --rm exited ${code}`))));
});

const subscribe = (read) => new Promise((resolve, reject) => {
  const req = request({ socketPath, path: '/v1.47/events' }, (res) => {
    if (read) res.resume(); else res.pause();
    resolve(() => req.destroy());
  });
  req.on('error', (e) => { if (!req.destroyed) reject(e); });
  req.end();
});

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const alone = [];
const watched = [];
let cpuAlone = 0;
let cpuWatched = 0;
await runOnce();
for (let round = 0; round < Number(roundsArg); round++) {
  // ABBA: the side measured first alternates, so that warm-up and drift fall on both.
  const sides = round % 2 === 0 ? ['alone', 'watched'] : ['watched', 'alone'];
  for (const side of sides) {
    const closers = side === 'watched' ? await Promise.all(Array.from({ length: 20 }, (_, i) => subscribe(i !== 0))) : [];
    const c = cpuTicks();
    for (let i = 0; i < 3; i++) (side === 'alone' ? alone : watched).push(await runOnce());
    if (side === 'alone') cpuAlone += cpuTicks() - c; else cpuWatched += cpuTicks() - c;
    for (const close of closers) close();
  }
}
const a = median(alone);
const w = median(watched);
console.log(`run --rm busybox true: ${a.toFixed(1)} ms alone, ${w.toFixed(1)} ms with 20 subscribers (one not reading): ratio ${(w / a).toFixed(3)} (${alone.length} runs each)`);
if (pid) console.log(`daemon CPU per run: ${(cpuAlone * 10 / alone.length).toFixed(1)} ms alone, ${(cpuWatched * 10 / watched.length).toFixed(1)} ms with 20 subscribers`);
