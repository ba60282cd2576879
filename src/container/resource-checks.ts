import { InvalidArgumentError } from '../base/index.js';
import type { HostConfig } from './config.js';

/** What the host offers a container's CPU settings (from the host's runtime facts). */
export interface HostCpus {
  /** CPUs the daemon may run on. */
  count: number;
  /** The cpuset controller's CPUs and memory nodes; undefined where none is mounted. */
  cpuset?: { cpus: string; mems: string };
}

/** Linux's usual CPU ceiling: cpuset lists may name up to this many, or more where the host has more. */
const MAX_CPUS = 8192;

/**
 * The CPU settings dockerd refuses at create (verifyPlatformContainerResources), in its order and
 * wording: --cpus against --cpu-period/--cpu-quota and the host's CPU count, CFS bounds, and
 * --cpuset-cpus/--cpuset-mems against what the host's cpuset holds.
 */
export function validateCpuResources(h: Pick<HostConfig, 'NanoCpus' | 'CpuPeriod' | 'CpuQuota' | 'CpusetCpus' | 'CpusetMems'>, host: HostCpus): void {
  const nano = h.NanoCpus ?? 0;
  const period = h.CpuPeriod ?? 0;
  const quota = h.CpuQuota ?? 0;
  if (nano > 0 && period > 0) throw new InvalidArgumentError('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nano > 0 && quota > 0) throw new InvalidArgumentError('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (nano < 0 || nano > host.count * 1e9) {
    throw new InvalidArgumentError(`Range of CPUs is from 0.01 to ${host.count}.00, as there are only ${host.count} CPUs available`);
  }
  if (period !== 0 && (period < 1000 || period > 1000000)) {
    throw new InvalidArgumentError('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if (quota > 0 && quota < 1000) throw new InvalidArgumentError('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  // Without a cpuset controller dockerd drops the sets with a warning; berth has no cpuset to apply them to either.
  if (!host.cpuset) return;
  checkList(h.CpusetCpus ?? '', host.cpuset.cpus, { what: 'cpuset cpus', missing: 'Requested CPUs are not available' });
  checkList(h.CpusetMems ?? '', host.cpuset.mems, { what: 'cpuset mems', missing: 'Requested memory nodes are not available' });
}

function checkList(requested: string, available: string, text: { what: string; missing: string }): void {
  if (!requested) return;
  const have = parseUintList(available, 0);
  const max = Math.max(MAX_CPUS, ...have);
  let want: Set<number>;
  try {
    want = parseUintList(requested, max);
  } catch (e) {
    throw new InvalidArgumentError(`Invalid value ${requested} for ${text.what}: ${(e as Error).message}`);
  }
  for (const n of want) {
    if (!have.has(n)) throw new InvalidArgumentError(`${text.missing} - requested ${requested}, available: ${available}`);
  }
}

/**
 * A cgroup list ("0-3,7") as a set, as dockerd's parsers.ParseUintList: Go's Atoi per number,
 * ranges low-high, duplicates allowed; maximum 0 means no bound.
 */
export function parseUintList(val: string, maximum: number): Set<number> {
  const out = new Set<number>();
  if (val === '') return out;
  const invalid = (): Error => new Error(`invalid format: ${val}`);
  const atoi = (s: string): number => {
    if (!/^[+-]?\d+$/.test(s) || !Number.isSafeInteger(Number(s))) throw invalid();
    return Number(s);
  };
  for (const part of val.split(',')) {
    const dash = part.indexOf('-');
    if (dash < 0) {
      const v = atoi(part);
      if (maximum !== 0 && v > maximum) throw new Error(`value of out range, maximum is ${maximum}`);
      out.add(v);
      continue;
    }
    const lo = atoi(part.slice(0, dash));
    const hi = atoi(part.slice(dash + 1));
    if (hi < lo) throw invalid();
    if (maximum !== 0 && hi > maximum) throw new Error(`value of out range, maximum is ${maximum}`);
    for (let i = lo; i <= hi; i++) out.add(i);
  }
  return out;
}
