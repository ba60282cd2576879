// `network connect` + `network disconnect` rounds of a running container through the Engine API,
// from one process (no client start-up per request, which on a loaded machine costs more than the
// engines' own work): node bench/network-connect.mjs SOCKET NETWORK CONTAINER ROUNDS
// Prints {"connect": median ms, "disconnect": median ms, "round": mean ms per round}.
import { request } from 'node:http';

const [socketPath, network, container, rounds = '20'] = process.argv.slice(2);
const call = (verb) => new Promise((resolve, reject) => {
  const body = JSON.stringify({ Container: container });
  const req = request({ socketPath, method: 'POST', path: `/v1.41/networks/${network}/${verb}`, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
    let text = '';
    res.on('data', (d) => { text += d; });
    res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error(`${verb}: ${res.statusCode} ${text}`))));
  });
  req.on('error', reject);
  req.end(body);
});
const connect = [];
const disconnect = [];
const start = performance.now();
for (let i = 0; i < Number(rounds); i++) {
  let t = performance.now();
  await call('connect');
  connect.push(performance.now() - t);
  t = performance.now();
  await call('disconnect');
  disconnect.push(performance.now() - t);
}
const total = performance.now() - start;
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
console.log(JSON.stringify({ connect: median(connect), disconnect: median(disconnect), round: total / Number(rounds) }));
