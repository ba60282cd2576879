import { parseTimeValue, type Filters } from '../base/index.js';
import type { BuildCacheStore } from '../build/index.js';
import type { ImageService } from '../image/index.js';
import type { BuildCacheUsage } from '../api/routes/system-df.js';

/** The bytes a step's image adds to its parent (0 when it is gone). */
function stepSize(images: ImageService, id: string): number {
  try {
    const img = images.get(id);
    return Math.max(0, img.size - (img.parent ? images.get(img.parent).size : 0));
  } catch {
    return 0;
  }
}

/** `system df`'s build cache: one entry per cached step, sized by the layer its image added. */
export function buildCacheUsage(cache: BuildCacheStore, images: ImageService): BuildCacheUsage[] {
  return cache.entries().map(([key, rec]) => {
    const size = stepSize(images, rec.imageId);
    let parent = '';
    let inUse = false;
    try {
      const img = images.get(rec.imageId);
      parent = img.parent;
      inUse = img.repoTags.length > 0;
    } catch {
      // the image went: the record is dropped at its next lookup
    }
    return {
      ID: key.slice(0, 25), Parents: parent ? [parent] : null, Type: 'regular', Description: `step ${rec.imageId.slice(7, 19)}`,
      InUse: inUse, Shared: false, Size: size, CreatedAt: rec.created, LastUsedAt: rec.lastUsed, UsageCount: 0,
    };
  });
}

/**
 * `builder prune`: forgets cached steps (all with `all`, else those whose image has no tag;
 * `until` by last use; `keepStorage` keeps the most recently used up to that many bytes) and
 * deletes their images when nothing else holds them (a tag, a container, a child image).
 */
export async function pruneBuildCache(cache: BuildCacheStore, images: ImageService, opts: { all: boolean; keepStorage: number; filters: Filters; inUse: (imageId: string) => { id: string; running: boolean } | undefined }): Promise<{ deleted: string[]; spaceReclaimed: number }> {
  const until = [...(opts.filters.get('until') ?? [])].map((v) => parseTimeValue(v));

  const tagged = (id: string): boolean => {
    try { return images.get(id).repoTags.length > 0; } catch { return false; }
  };
  // Newest first: a step's image goes before its parent's, which is then childless.
  const entries = cache.entries().sort(([, a], [, b]) => b.created.localeCompare(a.created));
  let kept = 0;
  const byUse = [...entries].sort(([, a], [, b]) => b.lastUsed.localeCompare(a.lastUsed));
  const keep = new Set<string>();
  for (const [key, rec] of byUse) {
    const size = stepSize(images, rec.imageId);
    if (kept + size > opts.keepStorage) break;
    kept += size;
    keep.add(key);
  }
  const deleted: string[] = [];
  let spaceReclaimed = 0;
  for (const [key, rec] of entries) {
    if (keep.has(key) && opts.keepStorage > 0) continue;
    if (until.some((t) => Date.parse(rec.lastUsed) >= t)) continue;
    if (!opts.all && tagged(rec.imageId)) continue;
    const size = stepSize(images, rec.imageId);
    await cache.delete(key);
    deleted.push(key);
    if (tagged(rec.imageId)) continue;
    try {
      await images.remove(rec.imageId, { noPrune: true, inUse: opts.inUse });
      spaceReclaimed += size;
    } catch {
      // still held: a container, a child image, another cache record
    }
  }
  return { deleted, spaceReclaimed };
}
