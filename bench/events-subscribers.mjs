// Does watching events slow the engine? `run --rm busybox true` timed alone and with 20
// GET /events subscribers open (one of them never reading), in alternating rounds so that the
// machine's drift falls on both sides; prints both medians and their ratio.
//   node bench/events-subscribers.mjs /path/to/berth.sock [rounds] [docker-cli]
import { spawn } from 'node:child_process';
import { request } from 'node:http';

const [socketPath, roundsArg = '10', cli = '/usr/local/bin/docker'] = process.argv.slice(2);
if (!socketPath) throw new Error('usage: node bench/events-subscribers.mjs <socket> [rounds] [docker-cli]');

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
await runOnce();
for (let round = 0; round < Number(roundsArg); round++) {
  for (let i = 0; i < 3; i++) alone.push(await runOnce());
  const closers = await Promise.all(Array.from({ length: 20 }, (_, i) => subscribe(i !== 0)));
  for (let i = 0; i < 3; i++) watched.push(await runOnce());
  for (const close of closers) close();
}
const a = median(alone);
const w = median(watched);
console.log(`run --rm busybox true: ${a.toFixed(1)} ms alone, ${w.toFixed(1)} ms with 20 subscribers (one not reading): ratio ${(w / a).toFixed(3)} (${alone.length} runs each)`);
