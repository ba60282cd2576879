import { RecordStore } from '../../store/index.js';
import type { BuildCache } from './engine.js';

const LAST_USED_GRAIN_MS = 60_000;

/** One cached step: the image it made, and when it was made and last used (for `builder prune`). */
export interface CacheRecord { imageId: string; created: string; lastUsed: string }

/**
 * The step cache on disk (`<data-root>/builder/cache`), one atomic record per step key, so a
 * cache survives daemon restarts. A record whose image is gone is a miss, and is dropped.
 */
export class BuildCacheStore implements BuildCache {
  private constructor(private readonly records: RecordStore<CacheRecord>, private readonly imageExists: (id: string) => boolean) {}

  static async open(opts: { dir: string; imageExists: (id: string) => boolean }): Promise<BuildCacheStore> {
    const records = await RecordStore.open<CacheRecord>({
      dir: opts.dir, layout: { kind: 'files' }, onUnreadable: async () => {},
    });
    return new BuildCacheStore(records, opts.imageExists);
  }

  async get(key: string): Promise<string | undefined> {
    const rec = this.records.get(key);
    if (!rec) return undefined;
    if (!this.imageExists(rec.imageId)) {
      await this.records.delete(key);
      return undefined;
    }
    // When it was last used only orders `builder prune`: to the minute is enough, and worth neither
    // a wait nor an fsync per cached step.
    const now = Date.now();
    if (now - Date.parse(rec.lastUsed) >= LAST_USED_GRAIN_MS) {
      void this.records.putNow(key, { ...rec, lastUsed: new Date(now).toISOString() }, { durable: false }).catch(() => {});
    }
    return rec.imageId;
  }

  async set(key: string, imageId: string): Promise<void> {
    const now = new Date().toISOString();
    await this.records.put(key, { imageId, created: now, lastUsed: now });
  }

  entries(): Array<[string, CacheRecord]> {
    return this.records.entries();
  }

  async delete(key: string): Promise<void> {
    await this.records.delete(key);
  }
}
