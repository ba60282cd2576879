import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerStatsResponse } from '../../api/types/index.js';
import { renderRows } from './format.js';
import { STATS_HEADERS, cpuPercent, memoryWithoutCache, statsEntry, statsFormat, statsRow } from './stats.js';

const cpu = (total: number, system: number) => ({
  cpu_usage: { total_usage: total, usage_in_kernelmode: 0, usage_in_usermode: 0 }, system_cpu_usage: system, online_cpus: 2,
  throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
});

function sample(over: Partial<ContainerStatsResponse> = {}): ContainerStatsResponse {
  return {
    read: '2026-01-01T00:00:01Z', preread: '2026-01-01T00:00:00Z', pids_stats: { current: 3 },
    blkio_stats: {
      io_service_bytes_recursive: [{ major: 8, minor: 0, op: 'Read', value: 12288 }, { major: 8, minor: 0, op: 'Write', value: 4096 }, { major: 8, minor: 0, op: 'Total', value: 16384 }],
      io_serviced_recursive: [], io_queue_recursive: [], io_service_time_recursive: [], io_wait_time_recursive: [], io_merged_recursive: [], io_time_recursive: [], sectors_recursive: [],
    },
    num_procs: 0, storage_stats: {},
    cpu_stats: cpu(1_500_000_000, 12_000_000_000), precpu_stats: cpu(500_000_000, 10_000_000_000),
    memory_stats: { usage: 10 * 1024 * 1024, limit: 100 * 1024 * 1024, stats: { total_inactive_file: 2 * 1024 * 1024 } },
    name: '/web', id: 'a'.repeat(64),
    networks: { eth0: { rx_bytes: 1500, rx_packets: 1, rx_errors: 0, rx_dropped: 0, tx_bytes: 900, tx_packets: 1, tx_errors: 0, tx_dropped: 0 } },
    ...over,
  };
}

test('cpuPercent() is the container\'s share of the host\'s time times its CPUs, as the docker CLI computes it', () => {
  // 1 s of CPU over 2 s of host time (two CPUs for 1 s): one CPU busy = 100%.
  assert.equal(cpuPercent(sample()), 100);
  assert.equal(cpuPercent(sample({ precpu_stats: cpu(0, 0), cpu_stats: cpu(0, 0) })), 0);
});

test('memoryWithoutCache() takes out the inactive page cache, v1 or v2', () => {
  assert.equal(memoryWithoutCache({ usage: 100, stats: { total_inactive_file: 40 } }), 60);
  assert.equal(memoryWithoutCache({ usage: 100, stats: { inactive_file: 30 } }), 70);
  assert.equal(memoryWithoutCache({ usage: 100, stats: { total_inactive_file: 400 } }), 100);
  assert.equal(memoryWithoutCache({}), 0);
});

test('the default table prints docker\'s columns and units', () => {
  const out = renderRows(statsFormat(''), [statsRow(statsEntry('web', sample()), { trunc: true })], STATS_HEADERS);
  assert.equal(out, [
    'CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O        BLOCK I/O        PIDS',
    'aaaaaaaaaaaa   web       100.00%   8MiB / 100MiB       8.00%     1.5kB / 900B   12.3kB / 4.1kB   3',
    '',
  ].join('\n'));
});

test('a container whose stats could not be read shows dashes', () => {
  const row = statsRow({ ...statsEntry('x', sample()), invalid: true }, { trunc: true });
  assert.deepEqual([row.CPUPerc, row.MemUsage, row.NetIO, row.PIDs], ['--', '-- / --', '--', '--']);
});
