import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { eventually, isRoot, startDaemon, withBusybox, type TestDaemon } from './harness.js';

/** The v1 controller directory (or the v2 one) of a container's init, from its /proc cgroup. */
function cgroupFile(pid: number, controller: string, file: string): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const v1 = lines.find((l) => l.split(':')[1]!.split(',').includes(controller));
  if (v1) return `/sys/fs/cgroup/${controller}${v1.split(':')[2]}/${file}`;
  return `/sys/fs/cgroup${lines.find((l) => l.startsWith('0::'))!.slice(3)}/${file}`;
}

describe('stats, update, pause', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  before(async () => { d = await startDaemon(); await withBusybox(d); });
  after(async () => { await d?.cleanup(); });

  const pidOf = async (name: string): Promise<number> => Number((await d.docker(['inspect', '-f', '{{.State.Pid}}', name])).stdout.trim());

  test('a container burning one CPU reads 90-110% in docker stats; the JSON has Docker\'s shape', async () => {
    const r = await d.docker(['run', '-d', '--name', 'burn', 'busybox', 'sh', '-c', 'while :; do :; done']);
    assert.equal(r.code, 0, r.stderr);
    // The share the container really got over the same time, from its cgroup: on an idle host
    // one CPU (100%); on a loaded one (2 CPUs shared by many tests) less, and stats must agree.
    const usage = cgroupFile(await pidOf('burn'), 'cpuacct', 'cpuacct.usage');
    const u0 = Number(readFileSync(usage, 'utf8'));
    const t0 = process.hrtime.bigint();
    const s = await d.docker(['stats', '--no-stream', '--format', '{{.Name}} {{.CPUPerc}} {{.PIDs}}', 'burn']);
    const real = ((Number(readFileSync(usage, 'utf8')) - u0) / Number(process.hrtime.bigint() - t0)) * 100;
    assert.equal(s.code, 0, s.stderr);
    const [name, cpu, pids] = s.stdout.trim().split(' ');
    assert.equal(name, 'burn');
    const pct = Number.parseFloat(cpu!);
    if (real >= 95) assert.ok(pct >= 90 && pct <= 110, `CPU ${cpu} of one busy CPU`);
    else assert.ok(Math.abs(pct - real) <= Math.max(10, real * 0.25), `CPU ${cpu}, the cgroup says ${real.toFixed(1)}%`);
    assert.equal(pids, '1');
    const api = await d.api('GET', '/containers/burn/stats?stream=false');
    assert.equal(api.status, 200);
    const j = api.json();
    for (const k of ['read', 'preread', 'pids_stats', 'blkio_stats', 'num_procs', 'storage_stats', 'cpu_stats', 'precpu_stats', 'memory_stats', 'name', 'id', 'networks']) assert.ok(k in j, k);
    assert.equal(j.name, '/burn');
    assert.ok(j.cpu_stats.cpu_usage.total_usage > j.precpu_stats.cpu_usage.total_usage);
    assert.ok(j.cpu_stats.online_cpus >= 1);
    assert.ok(j.memory_stats.usage > 0 && j.memory_stats.limit > 0);
    assert.ok(j.networks.eth0, 'the container\'s own interface');
    // A sample 0.5-2 s old is the next one-off answer's precpu_stats, without a second wait.
    await eventually(() => Date.now() - Date.parse(j.read) >= 700);
    const next = (await d.api('GET', '/containers/burn/stats?stream=false')).json();
    if (Date.now() - Date.parse(j.read) <= 2000) {
      assert.equal(next.preread, j.read);
      assert.ok(next.cpu_stats.cpu_usage.total_usage > j.cpu_stats.cpu_usage.total_usage);
    }
    const one = (await d.api('GET', '/containers/burn/stats?stream=false&one-shot=true')).json();
    assert.equal(one.preread, '0001-01-01T00:00:00Z');
    const berth = await d.berth(['stats', '--no-stream', 'burn']);
    assert.equal(berth.code, 0, berth.stderr);
    assert.match(berth.stdout, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS\n[0-9a-f]{12}\s+burn\s+\d+\.\d\d%/);
    await d.docker(['rm', '-f', 'burn']);
  });

  test('stats streams one answer a second, and a stopped container reads zero', async () => {
    await d.docker(['create', '--name', 'idle', 'busybox', 'true']);
    const s = await d.docker(['stats', '--no-stream', '--format', '{{.CPUPerc}} {{.MemUsage}} {{.PIDs}}', 'idle']);
    assert.equal(s.stdout.trim(), '0.00% 0B / 0B 0');
    const missing = await d.docker(['stats', '--no-stream', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such container: nosuch/);
    await d.docker(['rm', 'idle']);
    await d.docker(['run', '-d', '--name', 'sleeper', 'busybox', 'sleep', '300']);
    const ctl = new AbortController();
    const lines: string[] = [];
    const t0 = Date.now();
    const res = await fetchStream(d, '/containers/sleeper/stats', ctl.signal, (l) => { lines.push(l); if (lines.length === 3) ctl.abort(); });
    assert.equal(res, 3);
    assert.ok(Date.now() - t0 >= 1800, 'about a second between answers');
    assert.notEqual(JSON.parse(lines[2]!).preread, '0001-01-01T00:00:00Z');
    // Without names: the running containers, or all with -a; --no-trunc shows whole IDs.
    await d.docker(['create', '--name', 'dormant', 'busybox', 'true']);
    assert.deepEqual((await d.docker(['stats', '--no-stream', '--format', '{{.Name}}'])).stdout.trim().split('\n'), ['sleeper']);
    assert.deepEqual((await d.berth(['stats', '--no-stream', '-a', '--format', '{{.Name}}'])).stdout.trim().split('\n').sort(), ['dormant', 'sleeper']);
    assert.match((await d.berth(['stats', '--no-stream', '--no-trunc', '--format', '{{.ID}}', 'sleeper'])).stdout.trim(), /^[0-9a-f]{64}$/);
    await d.docker(['rm', 'dormant']);
  });

  test('update changes the cgroup at once, inspect shows it, and bad values get Docker\'s messages', async () => {
    const pid = await pidOf('sleeper');
    const u = await d.docker(['update', '--memory', '64m', '--memory-swap', '128m', '--cpus', '0.5', '--pids-limit', '50', 'sleeper']);
    assert.equal(u.code, 0, u.stderr);
    assert.equal(u.stdout.trim(), 'sleeper');
    assert.equal(readFileSync(cgroupFile(pid, 'memory', 'memory.limit_in_bytes'), 'utf8').trim(), String(64 * 1024 * 1024));
    assert.equal(readFileSync(cgroupFile(pid, 'cpu', 'cpu.cfs_quota_us'), 'utf8').trim(), '50000');
    assert.equal(readFileSync(cgroupFile(pid, 'pids', 'pids.max'), 'utf8').trim(), '50');
    const i = await d.docker(['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}', 'sleeper']);
    assert.equal(i.stdout.trim(), `${64 * 1024 * 1024} ${128 * 1024 * 1024} 500000000 50`);
    const berth = await d.berth(['update', '--memory', '32m', 'sleeper']);
    assert.equal(berth.code, 0, berth.stderr);
    assert.equal(readFileSync(cgroupFile(pid, 'memory', 'memory.limit_in_bytes'), 'utf8').trim(), String(32 * 1024 * 1024));

    const small = await d.docker(['update', '--memory', '4m', 'sleeper']);
    assert.equal(small.code, 1);
    assert.match(small.stderr, /Minimum memory limit allowed is 6MB/);
    const swap = await d.docker(['update', '--memory', '512m', 'sleeper']);
    assert.match(swap.stderr, /Cannot update container [0-9a-f]{64}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time/);
    const swapSmall = await d.docker(['update', '--memory', '64m', '--memory-swap', '32m', 'sleeper']);
    assert.match(swapSmall.stderr, /Minimum memoryswap limit should be larger than memory limit, see usage/);
    const resv = await d.docker(['update', '--memory-reservation', '1m', 'sleeper']);
    assert.match(resv.stderr, /Minimum memory reservation allowed is 6MB/);
    const kmem = await d.docker(['update', '--kernel-memory', '8m', 'sleeper']);
    assert.equal(kmem.code, 0, kmem.stderr);
    assert.match(kmem.stdout, /kernel memory limit/);
    const none = await d.docker(['update', 'sleeper']);
    assert.match(none.stderr, /you must provide one or more flags when using this command/);
  });

  test('update of a stopped container takes effect at its next start; --restart is kept', async () => {
    await d.docker(['create', '--name', 'later', 'busybox', 'sleep', '300']);
    const u = await d.berth(['update', '--memory', '48m', '--memory-swap', '-1', '--restart', 'on-failure:2', 'later']);
    assert.equal(u.code, 0, u.stderr);
    assert.equal((await d.docker(['inspect', '-f', '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}', 'later'])).stdout.trim(), 'on-failure:2');
    await d.docker(['start', 'later']);
    const pid = await pidOf('later');
    assert.equal(readFileSync(cgroupFile(pid, 'memory', 'memory.limit_in_bytes'), 'utf8').trim(), String(48 * 1024 * 1024));
    await d.docker(['rm', '-f', 'later']);
  });

  test('pause freezes the container, ps shows (Paused), unpause thaws it; events are published', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const p = await d.docker(['pause', 'sleeper']);
    assert.equal(p.code, 0, p.stderr);
    const pid = await pidOf('sleeper');
    const freezer = cgroupFile(pid, 'freezer', 'freezer.state');
    assert.equal(readFileSync(freezer, 'utf8').trim(), 'FROZEN');
    const ps = await d.docker(['ps', '--filter', 'name=sleeper', '--format', '{{.Status}}']);
    assert.match(ps.stdout.trim(), /^Up .* \(Paused\)$/);
    assert.equal((await d.docker(['inspect', '-f', '{{.State.Status}} {{.State.Paused}}', 'sleeper'])).stdout.trim(), 'paused true');
    const again = await d.docker(['pause', 'sleeper']);
    assert.match(again.stderr, /is already paused/);
    const info = await d.docker(['info', '--format', '{{.ContainersPaused}}']);
    assert.equal(info.stdout.trim(), '1');
    assert.equal((await d.berth(['unpause', 'sleeper'])).code, 0);
    assert.equal(readFileSync(freezer, 'utf8').trim(), 'THAWED');
    const not = await d.docker(['unpause', 'sleeper']);
    assert.match(not.stderr, /is not paused/);
    const ev = await d.docker(['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'container=sleeper', '--format', '{{.Action}}']);
    assert.deepEqual(ev.stdout.trim().split('\n').filter((a) => a === 'pause' || a === 'unpause'), ['pause', 'unpause']);
    // A paused container can be stopped.
    await d.docker(['pause', 'sleeper']);
    const stop = await d.docker(['stop', '-t', '1', 'sleeper']);
    assert.equal(stop.code, 0, stop.stderr);
    await eventually(async () => (await d.docker(['inspect', '-f', '{{.State.Status}}', 'sleeper'])).stdout.trim() === 'exited');
  });
});

/** Read an API stream line by line until it ends or `signal` aborts; the number of lines read. */
async function fetchStream(d: TestDaemon, path: string, signal: AbortSignal, onLine: (l: string) => void): Promise<number> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    let n = 0;
    let buf = '';
    const req = request({ socketPath: d.sock, path, signal }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) { n++; onLine(buf.slice(0, i)); buf = buf.slice(i + 1); }
      });
      res.on('end', () => resolve(n));
      res.on('error', () => resolve(n));
    });
    req.on('error', (e) => (signal.aborted ? resolve(n) : reject(e)));
    req.end();
  });
}
