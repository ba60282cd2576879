import { ConflictError } from '../base/index.js';
import type { ContainerRecord } from './config.js';
import type { ContainerCore } from './core.js';
import type { CgroupStats } from './ports.js';

/**
 * A container's counters now, or undefined when it has no process (dockerd then answers with
 * zeroed figures). A process that ends between the check and the read is no process either.
 */
export async function containerStats(core: ContainerCore, rec: ContainerRecord, opts: { cpuOnly?: boolean } = {}): Promise<CgroupStats | undefined> {
  if (rec.state.status !== 'running' && rec.state.status !== 'paused') return undefined;
  try {
    const s = await core.d.runtime.stats(rec.id, opts);
    // The host's interfaces are not the container's: dockerd reports no networks for host mode.
    return rec.hostConfig.NetworkMode === 'host' ? { ...s, networks: {} } : s;
  } catch (e) {
    if (e instanceof ConflictError) return undefined;
    throw e;
  }
}
