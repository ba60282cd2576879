import { ConflictError } from '../base/index.js';
import type { ContainerRecord } from './config.js';
import type { ContainerCore } from './core.js';
import type { CgroupStats } from './ports.js';

/**
 * A container's counters now, or undefined when it has no process (dockerd then answers with
 * zeroed figures). A process that ends between the check and the read is no process either.
 */
export async function containerStats(core: ContainerCore, rec: ContainerRecord): Promise<CgroupStats | undefined> {
  if (rec.state.status !== 'running' && rec.state.status !== 'paused') return undefined;
  try {
    return await core.d.runtime.stats(rec.id);
  } catch (e) {
    if (e instanceof ConflictError) return undefined;
    throw e;
  }
}
