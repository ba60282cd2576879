// Median latency of one Engine API GET over a kept-alive unix socket connection.
//   node bench/api-latency.mjs /path/to/socket /containers/json [count]
import { Agent, request } from 'node:http';

const [socketPath, path, count = '200'] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const once = () => new Promise((resolve, reject) => {
  const t0 = process.hrtime.bigint();
  request({ socketPath, path, agent }, (res) => {
    res.resume();
    res.on('end', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
  }).on('error', reject).end();
});
for (let i = 0; i < 10; i++) await once();
const times = [];
for (let i = 0; i < Number(count); i++) times.push(await once());
times.sort((a, b) => a - b);
console.log(times[Math.floor(times.length / 2)].toFixed(2));
agent.destroy();
