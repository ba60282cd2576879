import { InvalidArgumentError } from '../../base/index.js';
import type { ContainerRecord } from '../../container/index.js';
import type { ImageSummary, SystemDiskUsageResponse, VolumeUsageSummary } from '../types/index.js';
import { json, type Router } from '../server/index.js';
import { toContainerSummary } from './container-wire.js';
import { toImageSummary, type ImageView } from './image-wire.js';

/** What `system df` reads: images with their layers, containers with their rw layers, volumes with their usage. */
export interface DiskUsageBackend {
  /** Top-level images, or with `all` the intermediate ones too. */
  images(opts: { all: boolean }): Promise<Array<ImageView & { chainIds: readonly string[] }>>;
  /** Bytes of one unpacked layer (0 when it is gone). */
  layerSize(chainId: string): number;
  /** An image's size by ID; throws when it is gone. */
  imageSize(imageId: string): number;
  containers(): ContainerRecord[];
  sizeRw(rec: ContainerRecord): Promise<number>;
  /**
   * The volume service's usage (sizes and the containers using each); absent until one is
   * wired, then volumes are listed empty.
   */
  volumes?: { usage(): Promise<VolumeUsageSummary[]> };
  /** The builder's step cache. */
  buildCache?: () => BuildCacheUsage[];
}

/** One entry of `BuildCache` (moby's types.BuildCache). */
export interface BuildCacheUsage {
  ID: string; Parents: string[] | null; Type: string; Description: string; InUse: boolean; Shared: boolean;
  Size: number; CreatedAt: string; LastUsedAt: string | null; UsageCount: number;
}

const TYPES = ['container', 'image', 'volume', 'build-cache'];

export function systemDfRoutes(r: Router, b: DiskUsageBackend): void {
  r.get('/system/df', async (ctx) => {
    const asked = ctx.query.getAll('type');
    for (const t of asked) if (!TYPES.includes(t)) throw new InvalidArgumentError(`unknown object type: ${t}`);
    const want = (t: string): boolean => asked.length === 0 || asked.includes(t);
    const out: SystemDiskUsageResponse = {};
    const containers = b.containers();
    if (want('image')) {
      const { layersSize, images } = await imageUsage(b, containers, ctx.version);
      out.LayersSize = layersSize;
      out.Images = images;
    }
    if (want('container')) {
      out.Containers = await Promise.all(containers.map(async (rec) => {
        const sizeRw = await b.sizeRw(rec).catch(() => 0);
        return toContainerSummary(rec, { imageName: rec.config.Image, sizeRw, sizeRootFs: sizeRw + imageSize(b, rec.imageId) });
      }));
    }
    if (want('volume')) out.Volumes = b.volumes ? await b.volumes.usage() : [];
    if (want('build-cache')) out.BuildCache = b.buildCache?.() ?? [];
    return json(out);
  });
}

/**
 * Each image's size and the part of it other images share (layers more than one image holds),
 * and the containers using it; LayersSize counts each layer once.
 */
async function imageUsage(b: DiskUsageBackend, containers: ContainerRecord[], version: string): Promise<{ layersSize: number; images: ImageSummary[] }> {
  // Sharing is counted over every image (intermediate ones hold layers too); the list is the top-level ones, as `docker images`.
  const [all, images] = await Promise.all([b.images({ all: true }), b.images({ all: false })]);
  const holders = new Map<string, number>();
  for (const img of all) for (const c of new Set(img.chainIds)) holders.set(c, (holders.get(c) ?? 0) + 1);
  let layersSize = 0;
  for (const c of holders.keys()) layersSize += b.layerSize(c);
  const using = new Map<string, number>();
  for (const rec of containers) using.set(rec.imageId, (using.get(rec.imageId) ?? 0) + 1);
  return {
    layersSize,
    images: images.map((img) => {
      const shared = [...new Set(img.chainIds)].filter((c) => (holders.get(c) ?? 0) > 1).reduce((s, c) => s + b.layerSize(c), 0);
      // system df counts containers whatever the API version (dockerd's df always did).
      return { ...toImageSummary(img, using.get(img.id) ?? 0, version), SharedSize: shared, Containers: using.get(img.id) ?? 0 };
    }),
  };
}

function imageSize(b: DiskUsageBackend, imageId: string): number {
  try {
    return b.imageSize(imageId);
  } catch {
    return 0; // removed with -f: its layers are still held, but it has no size of its own any more
  }
}
