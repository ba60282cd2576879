import { join } from 'node:path';
import type { Logger } from '../../base/index.js';
import { bindFileReadOnly, unmount } from '../../host/index.js';

export interface RuntimeBinary {
  /** What conmon and berth execute. */
  path: string;
  /** Drop the bind mount (daemon shutdown); the containers no longer need the binary. */
  release(): Promise<void>;
}

/**
 * The runtime binary as berth runs it: a read-only bind mount of it under the exec root.
 *
 * runc and crun copy themselves into a sealed memfd and re-execute from it on every call
 * (about 3 ms here, on create, start and delete alike), so that a container process cannot
 * overwrite the host binary through /proc/<pid>/exe (CVE-2019-5736). A binary on a read-only
 * mount cannot be written that way, and both runtimes skip the copy for one. Falls back to
 * `path` itself when the bind cannot be made. The bind is made afresh at every daemon start,
 * so that an upgraded runtime is picked up.
 */
export async function bindRuntimeReadOnly(o: { name: string; path: string; execRoot: string; log: Logger }): Promise<RuntimeBinary> {
  const target = join(o.execRoot, `${o.name}.bin`);
  const direct: RuntimeBinary = { path: o.path, release: async () => {} };
  try {
    if (!(await bindFileReadOnly(o.path, target))) return direct;
  } catch (e) {
    o.log.warn('cannot bind the runtime read-only; it will copy itself on every call', { runtime: o.path, error: String(e) });
    return direct;
  }
  return { path: target, release: async () => { await unmount(target, { lazy: true }).catch(() => false); } };
}
