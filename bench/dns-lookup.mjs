// Median time of a DNS A lookup by name, asked from inside a container's network namespace
// (run under `nsenter -n -t <container pid>`): node bench/dns-lookup.mjs SERVER NAME [COUNT]
import { Resolver } from 'node:dns/promises';

const [server, name, count = '500'] = process.argv.slice(2);
const r = new Resolver({ timeout: 2000, tries: 1 });
r.setServers([server]);
const times = [];
for (let i = 0; i < 20; i++) await r.resolve4(name); // warm up
for (let i = 0; i < Number(count); i++) {
  const t = process.hrtime.bigint();
  await r.resolve4(name);
  times.push(Number(process.hrtime.bigint() - t) / 1e6);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ median: times[times.length >> 1], p90: times[Math.floor(times.length * 0.9)] }));
