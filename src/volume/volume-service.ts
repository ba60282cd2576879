import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, KeyedMutex, NotFoundError, type EngineEvent, type Filters, type Logger } from '../base/index.js';
import { RecordStore } from '../store/index.js';
import { copyUp } from './copy-up.js';
import { LocalDriver, VOLUME_DOCUMENT, removeIfPresent } from './local-driver.js';
import { matchVolume, pruneCandidate } from './volume-filters.js';
import { anonymousVolumeName, validateVolumeName } from './names.js';
import { LABEL_ANONYMOUS_VOLUME, type Volume, type VolumeDriver, type VolumeRecord } from './types.js';
import { treeUsage } from './usage.js';

export interface VolumeServiceOptions {
  /** The daemon's data root: volumes live in `<root>/volumes/<name>/_data`. */
  root: string;
  log: Logger;
  events?: { publish(event: EngineEvent): void };
  /** The ids of the containers whose declaration names the volume (in use: not removable, not dangling). */
  usersOf?: (name: string) => string[];
}

export interface CreateVolumeRequest {
  name?: string;
  driver?: string;
  driverOpts?: Record<string, string> | null;
  labels?: Record<string, string> | null;
  /** Made for a container without a name: labelled as Docker labels them (prune takes these). */
  anonymous?: boolean;
}

const STAGING = '_copyup';

/**
 * Volumes: records (one atomic JSON document per volume, beside its data) over the local driver;
 * create, inspect, list, remove and prune as dockerd; mount and unmount for containers, with
 * the copy-up of an image's directory into an empty volume. Each change publishes Docker's event.
 */
export class VolumeService {
  private readonly mutex = new KeyedMutex();

  private constructor(
    private readonly store: RecordStore<VolumeRecord>,
    private readonly driver: VolumeDriver,
    private readonly opts: VolumeServiceOptions,
  ) {}

  static async open(opts: VolumeServiceOptions): Promise<VolumeService> {
    const dir = join(opts.root, 'volumes');
    const driver = new LocalDriver(dir);
    const store = await RecordStore.open<VolumeRecord>({
      dir, layout: { kind: 'directories', file: VOLUME_DOCUMENT },
      // A create that a crash cut short (data directory, no document yet): it never existed.
      onUnreadable: async (key) => {
        opts.log.info('removing a volume whose creation did not finish', { name: key });
        await driver.remove(key);
      },
    });
    // A copy-up a crash cut short leaves its staging directory; the volume itself stayed empty.
    await Promise.all(store.values().map((v) => removeStaging(join(dir, v.name, STAGING))));
    return new VolumeService(store, driver, opts);
  }

  /** Create a volume, or return the one of that name (as dockerd: same driver, else a conflict). */
  async create(req: CreateVolumeRequest = {}): Promise<Volume> {
    const name = req.name || anonymousVolumeName();
    validateVolumeName(name);
    const driverName = req.driver || 'local';
    if (driverName !== this.driver.name) throw new NotFoundError(`error looking up volume plugin ${driverName}: plugin "${driverName}" not found`);
    return this.mutex.run(name, async () => {
      const existing = this.store.get(name);
      if (existing) {
        if (existing.driver !== driverName) throw new ConflictError(`create ${name}: volume name must be unique`);
        return this.toVolume(existing);
      }
      // As given: `{}` from the CLI stays `{}` in inspect (as the seed shows), absent stays null.
      const options = req.driverOpts ? { ...req.driverOpts } : null;
      this.driver.validateOptions(options);
      const labels = req.anonymous ? { ...(req.labels ?? {}), [LABEL_ANONYMOUS_VOLUME]: '' } : req.labels ?? null;
      const rec: VolumeRecord = { name, driver: driverName, createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), labels, options };
      await this.driver.create(rec);
      await this.store.put(name, rec);
      this.event('create', name, { driver: rec.driver });
      return this.toVolume(rec);
    });
  }

  get(name: string): Volume {
    const rec = this.store.get(name);
    if (!rec) throw new NotFoundError(`get ${name}: no such volume`);
    return this.toVolume(rec);
  }

  find(name: string): Volume | undefined {
    const rec = this.store.get(name);
    return rec && this.toVolume(rec);
  }

  list(filters: Filters = new Map()): Volume[] {
    return this.store.values().filter((v) => matchVolume(v, filters, this.users(v.name).length > 0)).map((v) => this.toVolume(v));
  }

  /** Remove a volume no container uses; `force` also makes a missing volume no error. */
  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.mutex.run(name, async () => {
      const rec = this.store.get(name);
      if (!rec) {
        if (opts.force) return;
        throw new NotFoundError(`get ${name}: no such volume`);
      }
      const users = this.users(name);
      if (users.length) throw new ConflictError(`remove ${name}: volume is in use - [${users.join(', ')}]`);
      // The document goes first: a crash after it leaves a directory that open() sweeps.
      await removeIfPresent(this.store.file(name));
      this.store.forget(name);
      await this.driver.remove(name);
      this.event('destroy', name, { driver: rec.driver });
    });
  }

  /**
   * Remove the volumes no container uses: with API ≥ 1.42 only anonymous ones unless the filter
   * `all` is true, as dockerd; `label`/`label!` filters narrow it.
   */
  async prune(filters: Filters = new Map(), opts: { anonymousOnly?: boolean } = {}): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    const deleted: string[] = [];
    let spaceReclaimed = 0;
    for (const v of this.store.values()) {
      if (!pruneCandidate(v, filters, opts.anonymousOnly ?? true) || this.users(v.name).length) continue;
      const size = (await treeUsage(this.driver.mountpoint(v.name)).catch(() => 0));
      try {
        await this.remove(v.name);
      } catch (e) {
        if (e instanceof ConflictError || e instanceof NotFoundError) continue;
        throw e;
      }
      deleted.push(v.name);
      spaceReclaimed += size;
    }
    this.event('prune', '', { reclaimed: String(spaceReclaimed) });
    return { deleted, spaceReclaimed };
  }

  /** Every volume with its size in bytes and how many containers use it (for `system df`). */
  async usage(): Promise<Array<{ name: string; size: number; refCount: number }>> {
    return Promise.all(this.store.values().map(async (v) => ({
      name: v.name, size: await treeUsage(this.driver.mountpoint(v.name)).catch(() => -1), refCount: this.users(v.name).length,
    })));
  }

  /** Make the volume's data reachable for a container; returns the host path to bind. */
  async mount(name: string, use: { containerId: string; destination: string; readOnly: boolean; propagation?: string }): Promise<string> {
    const rec = this.store.get(name);
    if (!rec) throw new NotFoundError(`get ${name}: no such volume`);
    const path = await this.driver.mount(rec);
    this.event('mount', name, {
      container: use.containerId, destination: use.destination, driver: rec.driver, propagation: use.propagation ?? '', 'read/write': String(!use.readOnly),
    });
    return path;
  }

  /** A running container's mount that outlived the daemon: counted again, so its stop releases it. */
  adopt(name: string): void {
    const rec = this.store.get(name);
    if (rec) this.driver.adopt(rec);
  }

  async unmount(name: string, use: { containerId: string }): Promise<void> {
    const rec = this.store.get(name);
    if (!rec) return;
    await this.driver.unmount(rec);
    this.event('unmount', name, { container: use.containerId, driver: rec.driver });
  }

  /** Copy the image's directory at `path` into the volume if the volume is empty (Docker's copy-up). */
  async copyUp(name: string, from: { rootfs: string; path: string }): Promise<boolean> {
    const rec = this.store.get(name);
    if (!rec) throw new NotFoundError(`get ${name}: no such volume`);
    const data = this.driver.mountpoint(name);
    return this.mutex.run(name, () => copyUp({
      rootfs: from.rootfs, path: from.path, data,
      ...(this.driver.swappable(rec) ? { staging: join(this.store.recordDir(name), STAGING) } : {}),
    }));
  }

  private users(name: string): string[] {
    return this.opts.usersOf?.(name) ?? [];
  }

  private toVolume(rec: VolumeRecord): Volume {
    return { ...rec, mountpoint: this.driver.mountpoint(rec.name) };
  }

  private event(action: string, id: string, attributes: Record<string, string>): void {
    this.opts.events?.publish({ type: 'volume', action, actor: { id, attributes } });
  }
}

async function removeStaging(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}
