import type { ContainerUpdateRequest } from '../../../api/types/index.js';
import type { Cli } from '../../cli.js';
import { StatusError } from '../../errors.js';
import type { FlagSet } from '../../flags/index.js';
import { parseRestart } from '../../opts/container-options.js';
import { errorText } from '../common.js';

export function flags(fs: FlagSet) {
  const f = {
    blkioWeight: fs.int('blkio-weight', '', 0, 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)', 'uint16'),
    cpuPeriod: fs.int('cpu-period', '', 0, 'Limit CPU CFS (Completely Fair Scheduler) period', 'int64'),
    cpuQuota: fs.int('cpu-quota', '', 0, 'Limit CPU CFS (Completely Fair Scheduler) quota', 'int64'),
    cpuRtPeriod: fs.int('cpu-rt-period', '', 0, 'Limit the CPU real-time period in microseconds', 'int64'),
    cpuRtRuntime: fs.int('cpu-rt-runtime', '', 0, 'Limit the CPU real-time runtime in microseconds', 'int64'),
    cpuShares: fs.int('cpu-shares', 'c', 0, 'CPU shares (relative weight)', 'int64'),
    cpus: fs.nanoCpus('cpus', '', 'Number of CPUs'),
    cpusetCpus: fs.string('cpuset-cpus', '', '', 'CPUs in which to allow execution (0-3, 0,1)'),
    cpusetMems: fs.string('cpuset-mems', '', '', 'MEMs in which to allow execution (0-3, 0,1)'),
    kernelMemory: fs.bytes('kernel-memory', '', 'Kernel memory limit (deprecated)'),
    memory: fs.bytes('memory', 'm', 'Memory limit'),
    memoryReservation: fs.bytes('memory-reservation', '', 'Memory soft limit'),
    memorySwap: fs.bytes('memory-swap', '', "Swap limit equal to memory plus swap: -1 to enable unlimited swap", { allowUnlimited: true }),
    pidsLimit: fs.int('pids-limit', '', 0, 'Tune container pids limit (set -1 for unlimited)', 'int64'),
    restart: fs.string('restart', '', '', 'Restart policy to apply when a container exits'),
  };
  for (const [name, v] of [['cpu-rt-period', '1.25'], ['cpu-rt-runtime', '1.25'], ['cpus', '1.29'], ['pids-limit', '1.40']] as const) fs.annotate(name, 'version', v);
  return f;
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  if (!Object.values(o).some((f) => f.changed)) throw new StatusError(1, 'you must provide one or more flags when using this command');
  if (o.cpuRtPeriod.get || o.cpuRtRuntime.get) throw new StatusError(1, 'berth does not support realtime CPU scheduling (--cpu-rt-*)');
  const body: ContainerUpdateRequest = {
    BlkioWeight: o.blkioWeight.get, CpuPeriod: o.cpuPeriod.get, CpuQuota: o.cpuQuota.get, CpuShares: o.cpuShares.get,
    NanoCpus: o.cpus.get, CpusetCpus: o.cpusetCpus.get, CpusetMems: o.cpusetMems.get, KernelMemory: o.kernelMemory.get,
    Memory: o.memory.get, MemoryReservation: o.memoryReservation.get, MemorySwap: o.memorySwap.get,
    ...(o.pidsLimit.changed ? { PidsLimit: o.pidsLimit.get } : {}),
    ...(o.restart.changed ? { RestartPolicy: parseRestart(o.restart.get) } : {}),
  };
  const client = await cli.client();
  const warnings: string[] = [];
  const errs: string[] = [];
  for (const id of args) {
    try {
      const r = await client.containerUpdate(id, body);
      await cli.print(`${id}\n`);
      warnings.push(...(r.Warnings ?? []));
    } catch (e) {
      errs.push(errorText(e));
    }
  }
  if (warnings.length) await cli.print(`${warnings.join('\n')}\n`);
  if (errs.length) throw new StatusError(1, errs.join('\n'));
}
