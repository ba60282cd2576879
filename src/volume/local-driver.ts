import { mkdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, errnoCode } from '../base/index.js';
import { exec, isMountPoint, unmount } from '../host/index.js';
import type { VolumeDriver, VolumeRecord } from './types.js';

const OPTION_KEYS = new Set(['type', 'device', 'o', 'size']);
export const VOLUME_DOCUMENT = 'volume.json';

/**
 * Docker's `local` driver: a volume is `<root>/<name>/_data`, a plain directory; with `-o type=
 * device= o=` it is what mount(8) makes there (a tmpfs, a bind of a host directory, a device),
 * mounted for the first container that uses it and unmounted after the last.
 */
export class LocalDriver implements VolumeDriver {
  readonly name = 'local';
  private readonly users = new Map<string, number>();

  constructor(private readonly root: string) {}

  validateOptions(options: Record<string, string> | null): void {
    if (!options) return;
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.has(key)) throw new InvalidArgumentError(`invalid option key: "${key}"`);
    }
    if (options.size !== undefined) throw new InvalidArgumentError('quota size requested but no quota support');
    if (options.type && !options.device) throw new InvalidArgumentError('missing device in volume options');
    if (options.device && !options.type && !options.o?.split(',').includes('bind')) {
      throw new InvalidArgumentError('missing type in volume options');
    }
  }

  mountpoint(name: string): string {
    return join(this.root, name, '_data');
  }

  async create(rec: VolumeRecord): Promise<void> {
    await mkdir(this.mountpoint(rec.name), { recursive: true, mode: 0o755 });
  }

  async remove(name: string): Promise<void> {
    const data = this.mountpoint(name);
    // Never delete through a mount: what is mounted there is the user's (a device, a host directory).
    if (await isMountPoint(data)) await unmount(data, { lazy: true });
    this.users.delete(name);
    await rm(join(this.root, name), { recursive: true, force: true });
  }

  swappable(rec: VolumeRecord): boolean {
    return !mounted(rec);
  }

  async mount(rec: VolumeRecord): Promise<string> {
    const path = this.mountpoint(rec.name);
    const n = this.users.get(rec.name) ?? 0;
    if (mounted(rec) && n === 0 && !(await isMountPoint(path))) {
      const o = rec.options!;
      const args = [...(o.type ? ['-t', o.type] : []), ...(o.o ? ['-o', o.o] : []), o.device!, path];
      try {
        await exec('mount', args);
      } catch (e) {
        throw new InvalidArgumentError(`error while mounting volume '${path}': ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.users.set(rec.name, n + 1);
    return path;
  }

  adopt(rec: VolumeRecord): void {
    this.users.set(rec.name, (this.users.get(rec.name) ?? 0) + 1);
  }

  async unmount(rec: VolumeRecord): Promise<void> {
    const n = (this.users.get(rec.name) ?? 1) - 1;
    if (n > 0) { this.users.set(rec.name, n); return; }
    this.users.delete(rec.name);
    if (mounted(rec)) await unmount(this.mountpoint(rec.name), { lazy: true });
  }
}

function mounted(rec: VolumeRecord): boolean {
  return Boolean(rec.options?.type || rec.options?.device);
}

/** Remove a file, tolerating its absence. */
export async function removeIfPresent(path: string): Promise<void> {
  await unlink(path).catch((e: unknown) => { if (errnoCode(e) !== 'ENOENT') throw e; });
}
