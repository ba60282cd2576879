import { InvalidArgumentError } from '../../base/index.js';
import type { LinuxCpu, LinuxDeviceCgroup, LinuxMemory, LinuxResources } from '../../oci/index.js';

export interface ResourceInput {
  /** --memory in bytes. */
  memory?: number;
  /** --memory-swap in bytes (memory + swap); -1 = unlimited; unset = twice --memory, as Docker. */
  memorySwap?: number;
  /** --cpus × 1e9. */
  nanoCpus?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  /** --pids-limit; 0 or negative means unlimited. */
  pidsLimit?: number;
  /** --memory-reservation in bytes (the soft limit). */
  memoryReservation?: number;
  /** --blkio-weight, 10-1000. */
  blkioWeight?: number;
}

/** Docker's --cpus period: 100ms in microseconds. */
const CPU_PERIOD_US = 100000;

/** Docker's devices cgroup rules: deny all, then the standard character devices. */
export const DEFAULT_DEVICE_RULES: readonly LinuxDeviceCgroup[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },   // /dev/zero
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },   // /dev/null
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },   // /dev/urandom
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },   // /dev/random
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },   // /dev/tty
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' },   // /dev/console
  { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }, // /dev/fuse
];

/** linux.resources as Docker maps --memory, --memory-swap, --cpus, --cpu-*, --cpuset-*, --pids-limit. */
export function buildResources(r: ResourceInput, opts: { privileged: boolean }): LinuxResources {
  const out: LinuxResources = {
    devices: opts.privileged ? [{ allow: true, access: 'rwm' }] : DEFAULT_DEVICE_RULES.map((d) => ({ ...d })),
  };
  const memory: LinuxMemory = {};
  if (r.memory !== undefined && r.memory > 0) memory.limit = r.memory;
  if (r.memoryReservation !== undefined && r.memoryReservation > 0) memory.reservation = r.memoryReservation;
  let swap = r.memorySwap ?? 0;
  if (swap === 0 && memory.limit !== undefined) swap = memory.limit * 2;
  // The limits were checked when the request was made (checkMemoryResources, oci/resource-limits.ts).
  if (swap > 0) memory.swap = swap;
  if (Object.keys(memory).length > 0) out.memory = memory;

  const cpu: LinuxCpu = {};
  if (r.cpuShares !== undefined && r.cpuShares !== 0) {
    if (r.cpuShares < 0) throw new InvalidArgumentError(`invalid CPU shares (${r.cpuShares}): value must be a positive integer`);
    cpu.shares = r.cpuShares;
  }
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (r.nanoCpus !== undefined && r.nanoCpus > 0) {
    cpu.period = CPU_PERIOD_US;
    cpu.quota = Math.floor((r.nanoCpus * CPU_PERIOD_US) / 1e9);
  }
  if (r.cpuPeriod) cpu.period = r.cpuPeriod;
  if (r.cpuQuota) cpu.quota = r.cpuQuota;
  if (Object.keys(cpu).length > 0) out.cpu = cpu;

  if (r.pidsLimit !== undefined) out.pids = { limit: r.pidsLimit > 0 ? r.pidsLimit : -1 };
  if (r.blkioWeight !== undefined && r.blkioWeight > 0) out.blockIO = { weight: r.blkioWeight };
  return out;
}
