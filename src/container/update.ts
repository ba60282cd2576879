import { ConflictError, InvalidArgumentError } from '../base/index.js';
import { checkMemoryResources, type LinuxResources } from '../oci/index.js';
import { buildResources } from '../runtime/index.js';
import type { HostConfig, RestartPolicy } from './config.js';
import type { ContainerCore } from './core.js';
import { validateHostConfig } from './declaration.js';
import { validateCpuResources } from './resource-checks.js';

/** What `docker update` may change (the API's ContainerUpdate body: Resources plus RestartPolicy). */
export interface ContainerUpdate {
  Memory?: number;
  MemorySwap?: number;
  MemoryReservation?: number;
  KernelMemory?: number;
  NanoCpus?: number;
  CpuShares?: number;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  PidsLimit?: number | null;
  BlkioWeight?: number;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
}

/** dockerd's 6 MB floor for memory limits and reservations. */
const MIN_MEMORY = 6 * 1024 * 1024;

/**
 * The limits dockerd checks beyond memory and swap (verifyPlatformContainerResources), in its
 * order and words; what the host cannot apply is dropped with its warning, as dockerd does.
 */
export function checkExtraResources(r: { Memory?: number; MemoryReservation?: number; KernelMemory?: number; BlkioWeight?: number }, host: { blkioWeight: boolean }): { warnings: string[]; drop: Array<'KernelMemory' | 'BlkioWeight'> } {
  const warnings: string[] = [];
  const drop: Array<'KernelMemory' | 'BlkioWeight'> = [];
  const reservation = r.MemoryReservation ?? 0;
  if (reservation > 0 && reservation < MIN_MEMORY) throw new InvalidArgumentError('Minimum memory reservation allowed is 6MB');
  if ((r.Memory ?? 0) > 0 && reservation > 0 && (r.Memory ?? 0) < reservation) {
    throw new InvalidArgumentError('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  if (r.KernelMemory) {
    warnings.push('Specifying a kernel memory limit is deprecated and will be removed in a future release.');
    drop.push('KernelMemory');
  }
  const weight = r.BlkioWeight ?? 0;
  if (weight > 0 && !host.blkioWeight) {
    warnings.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
    drop.push('BlkioWeight');
  } else if (weight > 0 && (weight < 10 || weight > 1000)) {
    throw new InvalidArgumentError('Range of blkio weight is from 10 to 1000');
  }
  return { warnings, drop };
}

/**
 * docker update: check the request alone, merge it into the record as dockerd does (zero and
 * empty leave a value as it is), then change the running container's cgroup. A refused cgroup
 * change leaves the record as it was.
 */
export async function updateContainer(core: ContainerCore, ref: string, u: ContainerUpdate): Promise<{ warnings: string[] }> {
  const { d } = core;
  const rec = d.store.get(ref);
  checkMemoryResources(u);
  const { warnings, drop } = checkExtraResources(u, { blkioWeight: d.cgroupFeatures?.blkioWeight ?? false });
  const req: ContainerUpdate = { ...u };
  for (const k of drop) delete req[k];
  if (req.RestartPolicy?.Name) validateHostConfig({ ...rec.hostConfig, RestartPolicy: { Name: req.RestartPolicy.Name as RestartPolicy['Name'], MaximumRetryCount: req.RestartPolicy.MaximumRetryCount ?? 0 } });
  return core.mutex.run(rec.id, async () => {
    if (rec.state.status === 'removing' || rec.state.status === 'dead') throw new ConflictError(`Container is marked for removal and cannot be "update"`);
    const cannot = (msg: string): ConflictError => new ConflictError(`Cannot update container ${rec.id}: ${msg}`);
    const next = mergeUpdate(rec.hostConfig, req, cannot);
    validateCpuResources(next, d.hostCpus);
    checkMemoryResources(next);
    checkExtraResources(next, { blkioWeight: true });
    const before = rec.hostConfig;
    rec.hostConfig = next;
    if (rec.state.status === 'running' || rec.state.status === 'paused') {
      try {
        await d.runtime.update(rec.id, linuxResources(next, req));
      } catch (e) {
        rec.hostConfig = before;
        throw cannot(e instanceof Error ? e.message : String(e));
      }
    }
    await d.store.save(rec);
    core.event(rec, 'update');
    return { warnings };
  });
}

function mergeUpdate(h: HostConfig, u: ContainerUpdate, cannot: (msg: string) => Error): HostConfig {
  const out: HostConfig = { ...h };
  if ((u.NanoCpus ?? 0) > 0 && h.CpuPeriod > 0) throw cannot('Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
  if ((u.NanoCpus ?? 0) > 0 && h.CpuQuota > 0) throw cannot('Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
  if ((u.CpuPeriod ?? 0) > 0 && h.NanoCpus > 0) throw cannot('Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
  if ((u.CpuQuota ?? 0) > 0 && h.NanoCpus > 0) throw cannot('Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
  if (u.BlkioWeight) out.BlkioWeight = u.BlkioWeight;
  if (u.CpuShares) out.CpuShares = u.CpuShares;
  if (u.NanoCpus) out.NanoCpus = u.NanoCpus;
  if (u.CpuPeriod) out.CpuPeriod = u.CpuPeriod;
  if (u.CpuQuota) out.CpuQuota = u.CpuQuota;
  if (u.CpusetCpus) out.CpusetCpus = u.CpusetCpus;
  if (u.CpusetMems) out.CpusetMems = u.CpusetMems;
  if (u.Memory) {
    if (u.Memory > h.MemorySwap && !u.MemorySwap) throw cannot('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    out.Memory = u.Memory;
  }
  if (u.MemorySwap) out.MemorySwap = u.MemorySwap;
  if (u.MemoryReservation) out.MemoryReservation = u.MemoryReservation;
  if (u.PidsLimit !== undefined && u.PidsLimit !== null) out.PidsLimit = u.PidsLimit;
  if (u.RestartPolicy?.Name) {
    if (h.AutoRemove && u.RestartPolicy.Name !== 'no') throw cannot('Restart policy cannot be updated because AutoRemove is enabled for the container');
    out.RestartPolicy = { Name: u.RestartPolicy.Name as RestartPolicy['Name'], MaximumRetryCount: u.RestartPolicy.MaximumRetryCount ?? 0 };
  }
  return out;
}

/** The cgroup settings the update touches, for `<runtime> update` (devices stay as they are). */
function linuxResources(h: HostConfig, u: ContainerUpdate): LinuxResources {
  const all = buildResources({
    memory: h.Memory || undefined, memorySwap: h.MemorySwap || undefined, memoryReservation: h.MemoryReservation || undefined,
    nanoCpus: h.NanoCpus || undefined, cpuShares: h.CpuShares || undefined, cpuQuota: h.CpuQuota || undefined, cpuPeriod: h.CpuPeriod || undefined,
    cpusetCpus: h.CpusetCpus || undefined, cpusetMems: h.CpusetMems || undefined,
    ...(u.PidsLimit !== undefined && u.PidsLimit !== null ? { pidsLimit: u.PidsLimit } : {}),
    blkioWeight: h.BlkioWeight || undefined,
  }, { privileged: false });
  const { devices: _devices, ...rest } = all;
  return rest;
}
