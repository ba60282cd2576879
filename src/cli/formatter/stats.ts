import type { ContainerStatsResponse } from '../../api/types/index.js';
import { bytesSize } from '../../base/index.js';
import { humanSize3, truncateId } from './text.js';

export const DEFAULT_STATS_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

export const STATS_HEADERS: Record<string, string> = {
  Container: 'CONTAINER', ID: 'CONTAINER ID', Name: 'NAME', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS',
};

/** The figures the docker CLI computes from one stats answer (its StatsEntry). */
export interface StatsEntry {
  /** The name or ID the user gave (or the ID, when listing). */
  container: string;
  name: string;
  id: string;
  cpuPercentage: number;
  memory: number;
  memoryLimit: number;
  memoryPercentage: number;
  networkRx: number;
  networkTx: number;
  blockRead: number;
  blockWrite: number;
  pidsCurrent: number;
  /** The stats could not be read: every figure shows as "--". */
  invalid: boolean;
}

/** docker's calculateCPUPercentUnix: the container's share of the host's CPU time between the two samples. */
export function cpuPercent(s: ContainerStatsResponse): number {
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
  const online = s.cpu_stats.online_cpus || (s.cpu_stats.cpu_usage.percpu_usage?.length ?? 0);
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

/** docker's calculateMemUsageUnixNoCache: usage without the inactive page cache (v1's total_inactive_file, v2's inactive_file). */
export function memoryWithoutCache(m: ContainerStatsResponse['memory_stats']): number {
  const usage = m.usage ?? 0;
  const v1 = m.stats?.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = m.stats?.inactive_file;
  if (v2 !== undefined && v2 < usage) return usage - v2;
  return usage;
}

export function statsEntry(container: string, s: ContainerStatsResponse): StatsEntry {
  const memory = memoryWithoutCache(s.memory_stats);
  const memoryLimit = s.memory_stats.limit ?? 0;
  let blockRead = 0;
  let blockWrite = 0;
  for (const e of s.blkio_stats.io_service_bytes_recursive ?? []) {
    const op = e.op.toLowerCase();
    if (op === 'read') blockRead += e.value;
    else if (op === 'write') blockWrite += e.value;
  }
  let networkRx = 0;
  let networkTx = 0;
  for (const n of Object.values(s.networks ?? {})) {
    networkRx += n.rx_bytes;
    networkTx += n.tx_bytes;
  }
  return {
    container, name: s.name, id: s.id, cpuPercentage: cpuPercent(s), memory, memoryLimit,
    memoryPercentage: memoryLimit !== 0 ? (memory / memoryLimit) * 100 : 0,
    networkRx, networkTx, blockRead, blockWrite, pidsCurrent: s.pids_stats.current ?? 0, invalid: false,
  };
}

/** A row for the template: docker's statsContext fields, as strings. */
export function statsRow(e: StatsEntry, opts: { trunc: boolean }): Record<string, string> {
  const pct = (n: number): string => (e.invalid ? '--' : `${n.toFixed(2)}%`);
  const pair = (a: string, b: string): string => (e.invalid ? '--' : `${a} / ${b}`);
  const name = e.name.startsWith('/') ? e.name.slice(1) : e.name;
  return {
    BlockIO: pair(humanSize3(e.blockRead), humanSize3(e.blockWrite)),
    CPUPerc: pct(e.cpuPercentage),
    Container: e.container,
    ID: opts.trunc ? truncateId(e.id) : e.id,
    MemPerc: pct(e.memoryPercentage),
    MemUsage: e.invalid ? '-- / --' : `${bytesSize(e.memory)} / ${bytesSize(e.memoryLimit)}`,
    Name: e.invalid && !name ? '--' : name,
    NetIO: pair(humanSize3(e.networkRx), humanSize3(e.networkTx)),
    PIDs: e.invalid ? '--' : String(e.pidsCurrent),
  };
}

/** The `stats` format: the user's, or the default table. */
export function statsFormat(source: string): string {
  return source === '' || source === 'table' ? DEFAULT_STATS_TABLE : source;
}
