import { InvalidArgumentError, boolParam } from '../../base/index.js';
import type { CgroupStats, ContainerRecord, ContainerService } from '../../container/index.js';
import type { BlkioStatEntry, ContainerStatsResponse, CpuStats } from '../types/index.js';
import { json, type RequestContext, type Router } from '../server/index.js';

export type StatsBackend = Pick<ContainerService, 'get' | 'stats'> & {
  /** The host's memory: dockerd reports it as the limit of a container that has none. */
  hostMemory: number;
};

/** dockerd's collector samples every container once a second. */
const STREAM_INTERVAL_MS = 1000;
/**
 * A one-off answer with a CPU share needs two samples: dockerd waits for two ticks of its
 * collector (1-2 s); half a second keeps the share exact to about 1% with 10 ms host ticks.
 */
const ONE_OFF_INTERVAL_MS = 500;
/**
 * A sample this recent (any request's) serves as a one-off answer's precpu_stats without the
 * wait: dockerd's own precpu is its collector's previous tick, 1 s before. Clients that poll
 * `docker stats --no-stream` every second or two get their answers at once.
 */
const RECENT_MIN_MS = ONE_OFF_INTERVAL_MS;
const RECENT_MAX_MS = 2000;
const ZERO_TIME = '0001-01-01T00:00:00Z';

export function statsRoutes(r: Router, c: StatsBackend): void {
  const recent = new RecentSamples();
  r.get('/containers/{id}/stats', async (ctx) => {
    const rec = c.get(ctx.params.id!);
    const stream = ctx.query.get('stream') === null ? true : boolParam(ctx.query.get('stream'));
    const oneShot = boolParam(ctx.query.get('one-shot'));
    if (stream && oneShot) throw new InvalidArgumentError('cannot have stream=true and one-shot=true');
    // A one-off answer is one JSON document: sent at once with its length (one write, no chunks).
    if (!stream) return json(await once(c, rec, { oneShot, signal: ctx.signal, recent }));
    return { kind: 'stream', contentType: 'application/json', body: streamed(c, rec, ctx, recent) };
  });
}

async function once(c: StatsBackend, rec: ContainerRecord, opts: { oneShot: boolean; signal: AbortSignal; recent: RecentSamples }): Promise<ContainerStatsResponse> {
  if (opts.oneShot) {
    const now = opts.recent.keep(rec.id, await c.stats(rec));
    return toStatsJson(rec, { now, pre: undefined, hostMemory: c.hostMemory });
  }
  let pre = opts.recent.usable(rec.id);
  let now = pre ? await c.stats(rec) : undefined;
  // A sample of an earlier run of the container (its counters restarted from zero) is no baseline.
  if (!pre || !now || now.cpu.totalNs < pre.cpu.totalNs) {
    // The first of two samples serves only as precpu_stats: its CPU counters are enough.
    pre = await c.stats(rec, { cpuOnly: true });
    now = pre;
    if (pre) {
      await sleep(ONE_OFF_INTERVAL_MS, opts.signal);
      now = await c.stats(rec);
    }
  }
  opts.recent.keep(rec.id, now);
  return toStatsJson(rec, { now, pre, hostMemory: c.hostMemory });
}

async function* streamed(c: StatsBackend, rec: ContainerRecord, ctx: RequestContext, recent: RecentSamples): AsyncIterable<Uint8Array> {
  let pre: CgroupStats | undefined;
  while (!ctx.signal.aborted) {
    const now = recent.keep(rec.id, await c.stats(rec));
    yield line(toStatsJson(rec, { now, pre, hostMemory: c.hostMemory }));
    pre = now;
    // A removed container's stream ends, as dockerd's does.
    if (rec.state.status === 'removing' || rec.state.status === 'dead') return;
    await sleep(STREAM_INTERVAL_MS, ctx.signal);
  }
}

/** The last full sample of each container, for a later one-off answer's precpu_stats. */
class RecentSamples {
  private readonly byId = new Map<string, CgroupStats>();
  private prunedAt = 0;

  keep(id: string, s: CgroupStats | undefined): CgroupStats | undefined {
    if (s) this.byId.set(id, s);
    else this.byId.delete(id);
    // Old samples go now and then: the map holds no more than the containers asked about lately.
    const now = Date.now();
    if (now - this.prunedAt > RECENT_MAX_MS) {
      this.prunedAt = now;
      for (const [k, v] of this.byId) if (now - v.read.getTime() > RECENT_MAX_MS) this.byId.delete(k);
    }
    return s;
  }

  /** A sample between RECENT_MIN_MS and RECENT_MAX_MS old, if there is one. */
  usable(id: string): CgroupStats | undefined {
    const s = this.byId.get(id);
    const age = s ? Date.now() - s.read.getTime() : -1;
    return age >= RECENT_MIN_MS && age <= RECENT_MAX_MS ? s : undefined;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function line(v: ContainerStatsResponse): Buffer {
  return Buffer.from(`${JSON.stringify(v)}\n`);
}

/** dockerd's StatsJSON from two samples; a container without a process gets its name and ID only. */
export function toStatsJson(rec: Pick<ContainerRecord, 'id' | 'name'>, s: { now: CgroupStats | undefined; pre: CgroupStats | undefined; hostMemory: number }): ContainerStatsResponse {
  const { now, pre } = s;
  const v1 = now?.version === 1;
  const list = (e: BlkioStatEntry[] | undefined): BlkioStatEntry[] | null => (e ? e.map((x) => ({ ...x })) : v1 ? [] : null);
  const limit = now ? Math.min(now.memory.limit ?? Infinity, s.hostMemory) : undefined;
  return {
    read: now ? now.read.toISOString() : ZERO_TIME,
    preread: pre ? pre.read.toISOString() : ZERO_TIME,
    pids_stats: now ? { current: now.pids.current, ...(now.pids.limit !== undefined ? { limit: now.pids.limit } : {}) } : {},
    blkio_stats: {
      io_service_bytes_recursive: now ? list(now.blkio.serviceBytes) : null,
      io_serviced_recursive: now ? (v1 ? list(now.blkio.serviced) : null) : null,
      io_queue_recursive: now && v1 ? [] : null,
      io_service_time_recursive: now && v1 ? [] : null,
      io_wait_time_recursive: now && v1 ? [] : null,
      io_merged_recursive: now && v1 ? [] : null,
      io_time_recursive: now && v1 ? [] : null,
      sectors_recursive: now && v1 ? [] : null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(now),
    precpu_stats: cpuStats(pre),
    memory_stats: now
      ? {
        usage: now.memory.usage,
        ...(now.memory.maxUsage !== undefined ? { max_usage: now.memory.maxUsage } : {}),
        stats: now.memory.stats,
        ...(now.memory.failcnt !== undefined ? { failcnt: now.memory.failcnt } : {}),
        limit: limit === Infinity ? s.hostMemory : limit,
      }
      : {},
    name: `/${rec.name}`,
    id: rec.id,
    ...(now && Object.keys(now.networks).length ? {
      networks: Object.fromEntries(Object.entries(now.networks).map(([name, n]) => [name, {
        rx_bytes: n.rxBytes, rx_packets: n.rxPackets, rx_errors: n.rxErrors, rx_dropped: n.rxDropped,
        tx_bytes: n.txBytes, tx_packets: n.txPackets, tx_errors: n.txErrors, tx_dropped: n.txDropped,
      }])),
    } : {}),
  };
}

function cpuStats(s: CgroupStats | undefined): CpuStats {
  if (!s) return { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
  return {
    cpu_usage: {
      total_usage: s.cpu.totalNs,
      ...(s.cpu.perCpuNs.length ? { percpu_usage: s.cpu.perCpuNs } : {}),
      usage_in_kernelmode: s.cpu.kernelNs,
      usage_in_usermode: s.cpu.userNs,
    },
    system_cpu_usage: s.system.systemNs,
    online_cpus: s.system.onlineCpus,
    throttling_data: { periods: s.cpu.periods, throttled_periods: s.cpu.throttledPeriods, throttled_time: s.cpu.throttledTimeNs },
  };
}
