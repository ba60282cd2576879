import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, InvalidArgumentError, NotFoundError, isHexPrefix, type Logger } from '../base/index.js';
import { mountPointsUnder, unmount } from '../host/index.js';
import { RecordStore } from '../store/index.js';
import type { ContainerRecord } from './config.js';
import { containerPaths, type ContainerPaths } from '../snapshot/index.js';

const RECORD_FILE = 'container.json';

/** Container records on disk (one atomic JSON document each, in the container's directory) with an in-memory index. */
export class ContainerStore {
  private readonly byName = new Map<string, string>();

  private constructor(readonly root: string, private readonly records: RecordStore<ContainerRecord>) {}

  static async open(root: string, log: Logger): Promise<ContainerStore> {
    const records = await RecordStore.open<ContainerRecord>({
      dir: root,
      layout: { kind: 'directories', file: RECORD_FILE },
      // A directory without a complete record is a create that never finished: drop it.
      onUnreadable: async (id) => {
        log.warn('removing incomplete container directory', { id });
        // never recurse into a rootfs still mounted there (nor fail on its busy mount point)
        for (const point of await mountPointsUnder(join(root, id))) await unmount(point, { lazy: true });
        await rm(join(root, id), { recursive: true, force: true });
      },
    });
    const store = new ContainerStore(root, records);
    for (const rec of records.values()) store.indexName(rec, { loading: true });
    return store;
  }

  dir(id: string): string {
    return this.records.recordDir(id);
  }

  /** Where the container's files live (containerPaths: the one place that spells them). */
  paths(id: string): ContainerPaths {
    return containerPaths(this.root, id);
  }

  all(): ContainerRecord[] {
    return this.records.values();
  }

  /** Find by full ID, name (with or without "/"), or unique ID prefix. */
  find(ref: string): ContainerRecord | undefined {
    const exact = this.records.get(ref);
    if (exact) return exact;
    const byName = this.byName.get(ref.startsWith('/') ? ref.slice(1) : ref);
    if (byName) return this.records.get(byName);
    if (!isHexPrefix(ref)) return undefined;
    let found: ContainerRecord | undefined;
    for (const [id, rec] of this.records.entries()) {
      if (!id.startsWith(ref)) continue;
      if (found) throw new InvalidArgumentError(`multiple IDs found with provided prefix: ${ref}`);
      found = rec;
    }
    return found;
  }

  get(ref: string): ContainerRecord {
    const rec = this.find(ref);
    if (!rec) throw new NotFoundError(`No such container: ${ref}`);
    return rec;
  }

  nameOwner(name: string): string | undefined {
    return this.byName.get(name);
  }

  /** Claim a name for an id; Docker's conflict text when another container holds it. */
  reserveName(name: string, id: string): void {
    const owner = this.byName.get(name);
    if (owner && owner !== id) {
      throw new ConflictError(`Conflict. The container name "/${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    this.byName.set(name, id);
  }

  releaseName(name: string, id: string): void {
    if (this.byName.get(name) === id) this.byName.delete(name);
  }

  /** `durable: false` only for changes a reboot undoes anyway (docs/decisions/0014): no fsync. */
  async save(rec: ContainerRecord, opts: { durable?: boolean } = {}): Promise<void> {
    await this.records.put(rec.id, rec, opts);
    this.indexName(rec);
  }

  /** Drop the record from the index (not from disk): lookups fail and its name is free. */
  forget(rec: ContainerRecord): void {
    if (this.records.get(rec.id) === rec) this.records.forget(rec.id);
    this.releaseName(rec.name, rec.id);
  }

  /** Forget the record and delete its directory. */
  async delete(rec: ContainerRecord): Promise<void> {
    this.forget(rec);
    await rm(this.dir(rec.id), { recursive: true, force: true });
  }

  /**
   * A record left on disk by a removal the daemon did not finish may name a container that has
   * since taken its name: at load, the most recently created record keeps the name.
   */
  private indexName(rec: ContainerRecord, opts: { loading?: boolean } = {}): void {
    const owner = opts.loading ? this.records.get(this.byName.get(rec.name) ?? '') : undefined;
    if (owner && owner.id !== rec.id && owner.created > rec.created) return;
    this.byName.set(rec.name, rec.id);
  }
}
