import type { ContainerService } from '../../container/index.js';
import { decodeContainerUpdate } from '../types/index.js';
import { empty, json, type Router } from '../server/index.js';

export type ContainerUpdateBackend = Pick<ContainerService, 'update' | 'pause' | 'unpause'>;

/** docker update, pause and unpause: a running container's cgroup, changed in place. */
export function containerUpdateRoutes(r: Router, c: ContainerUpdateBackend): void {
  r.post('/containers/{id}/update', async (ctx) => {
    const body = (await ctx.body(decodeContainerUpdate)) ?? {};
    const { warnings } = await c.update(ctx.params.id!, {
      ...pick(body, ['Memory', 'MemorySwap', 'MemoryReservation', 'KernelMemory', 'NanoCpus', 'CpuShares', 'CpuPeriod', 'CpuQuota', 'BlkioWeight'] as const),
      ...(body.CpusetCpus ? { CpusetCpus: body.CpusetCpus } : {}),
      ...(body.CpusetMems ? { CpusetMems: body.CpusetMems } : {}),
      ...(body.PidsLimit !== undefined && body.PidsLimit !== null ? { PidsLimit: body.PidsLimit } : {}),
      ...(body.RestartPolicy?.Name ? { RestartPolicy: body.RestartPolicy } : {}),
    });
    return json({ Warnings: warnings });
  });

  r.post('/containers/{id}/pause', async (ctx) => {
    await c.pause(ctx.params.id!);
    return empty();
  });

  r.post('/containers/{id}/unpause', async (ctx) => {
    await c.unpause(ctx.params.id!);
    return empty();
  });
}

function pick<K extends string>(o: Record<string, unknown>, keys: readonly K[]): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const k of keys) if (typeof o[k] === 'number' && o[k] !== 0) out[k] = o[k] as number;
  return out;
}
