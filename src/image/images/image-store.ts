import { mkdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { digestHex, InvalidArgumentError, isDigest, isHexPrefix, Mutex, NotFoundError, removeAtomicTemps, sha256, writeJsonAtomic, type Digest, type Logger } from '../../base/index.js';
import { readJsonDocument, RecordStore } from '../../store/index.js';
import { chainIds, familiarString, parseAnyReference, tagNameOnly, type ImageConfig, type Reference } from '../../oci/index.js';
import { ContentStore } from '../content/index.js';
import { LayerStore } from './layer-store.js';
import { ReferenceStore } from './reference-store.js';
import type { ImageRecord } from './types.js';

/** An image held in memory: its parsed config plus local metadata. */
export interface ImageEntry {
  id: Digest;
  config: ImageConfig;
  configSize: number;
  parent: string;
  lastTagTime: string;
  chainIds: Digest[];
  /** Manifests and indexes pulled or pushed for this image, kept in the content store with it. */
  blobs: Digest[];
}

interface ImageMeta {
  id: Digest;
  parent?: string;
  lastTagTime?: string;
  blobs?: string[];
}

/**
 * The image store's state and its primitive, crash-safe mutations. The order of writes
 * is: layers, config blob, image/meta/<hex>.json (the image now exists), repositories.json.
 */
export class ImageStore {
  readonly images = new Map<string, ImageEntry>();
  readonly lock = new Mutex();
  /** Persistent holds on layers (a container's rootfs keeps its layers after a forced rmi). */
  private holds = new Map<string, Digest[]>();

  private constructor(
    readonly root: string,
    readonly content: ContentStore,
    readonly layers: LayerStore,
    readonly refs: ReferenceStore,
    /** image/meta/<hex>.json, by image ID without "sha256:" */
    private readonly metas: RecordStore<ImageMeta>,
    readonly log: Logger,
  ) {}

  get metaDir(): string {
    return join(this.root, 'image', 'meta');
  }

  /** Where loads stage archives (same filesystem as content/, so files move by rename); emptied at open. */
  get tmpDir(): string {
    return join(this.root, 'image', 'tmp');
  }

  static async open(root: string, log: Logger): Promise<ImageStore> {
    await rm(join(root, 'image', 'tmp'), { recursive: true, force: true });
    await mkdir(join(root, 'image', 'tmp'), { recursive: true });
    const content = await ContentStore.open(root);
    const layers = await LayerStore.open(root, content, log);
    const refs = await ReferenceStore.open(join(root, 'image', 'repositories.json'), log);
    const metaDir = join(root, 'image', 'meta');
    // a torn document cannot be an image's: drop it (open() below drops those that fail to check out as well)
    const metas = await RecordStore.open<ImageMeta>({
      dir: metaDir,
      layout: { kind: 'files' },
      onUnreadable: async (hex, e) => {
        log.warn('dropping unreadable image', { image: `${hex}.json`, error: String(e) });
        await unlink(join(metaDir, `${hex}.json`)).catch(() => {});
      },
    });
    const s = new ImageStore(root, content, layers, refs, metas, log);
    await s.loadHolds();
    await s.loadImages();
    await s.collectGarbage();
    return s;
  }

  private get holdsFile(): string {
    return join(this.root, 'image', 'holds.json');
  }

  private async loadHolds(): Promise<void> {
    const doc = await readJsonDocument<Record<string, string[]>>(this.holdsFile).catch((e: unknown) => {
      this.log.warn('ignoring unreadable holds.json', { error: String(e) });
      return undefined;
    });
    for (const [holder, chains] of Object.entries(doc ?? {})) {
      if (Array.isArray(chains)) this.holds.set(holder, chains.filter(isDigest));
    }
  }

  /** Keep `chainIds` (and their files) for `holder` until released, across restarts. Call under the lock. */
  async hold(holder: string, chainIds: readonly Digest[]): Promise<void> {
    const missing = chainIds.find((c) => !this.layers.has(c));
    if (missing) throw new NotFoundError(`layer ${missing} does not exist`);
    this.holds.set(holder, [...chainIds]);
    await writeJsonAtomic(this.holdsFile, Object.fromEntries(this.holds));
  }

  /** Drop a holder's hold and delete the layers nothing else uses any more. Call under the lock. */
  async release(holder: string): Promise<Digest[]> {
    const chains = this.holds.get(holder);
    if (!chains) return [];
    this.holds.delete(holder);
    await writeJsonAtomic(this.holdsFile, Object.fromEntries(this.holds));
    const used = this.usedChains();
    const removed: Digest[] = [];
    for (const c of [...chains].reverse()) {
      if (used.has(c) || this.layers.isPinned(c) || !this.layers.has(c)) continue;
      await this.deleteLayer(c);
      removed.push(c);
    }
    return removed;
  }

  private async loadImages(): Promise<void> {
    for (const [hex, meta] of this.metas.entries()) {
      if (!/^[a-f0-9]{64}$/.test(hex)) {
        this.metas.forget(hex); // not an image's metadata
        continue;
      }
      try {
        const bytes = await this.content.readBytes(meta.id);
        if (sha256(bytes) !== meta.id) throw new Error('config blob does not match its digest');
        const entry = entryFromConfig(meta.id, bytes, meta);
        const missing = entry.chainIds.find((c) => !this.layers.has(c));
        if (missing) throw new Error(`layer ${missing} is missing`);
        this.images.set(digestHex(meta.id), entry);
      } catch (e) {
        this.log.warn('dropping unreadable image', { image: `${hex}.json`, error: String(e) });
        await this.metas.delete(hex).catch(() => {});
      }
    }
  }

  /** Holders of the layers under a hold (e.g. "container:<id>"). */
  holders(): string[] {
    return [...this.holds.keys()];
  }

  /**
   * Drop references to images that are gone, layers no image or hold uses, blobs no image or
   * layer is made from (a crash can land after a blob's commit and before what references it)
   * and the temp files of interrupted writes.
   */
  private async collectGarbage(): Promise<void> {
    await removeAtomicTemps(join(this.root, 'image'));
    let dirty = false;
    for (const { ref, id } of this.refs.all()) {
      if (!this.images.has(digestHex(id))) {
        this.refs.delete(ref);
        dirty = true;
      }
    }
    if (dirty) await this.refs.save();
    const used = this.usedChains();
    for (const l of this.layers.all()) {
      if (!used.has(l.chainId)) {
        this.log.info('removing unreferenced layer', { layer: l.chainId });
        await this.deleteLayer(l.chainId);
      }
    }
    const blobs = new Set<string>([...this.images.values()].flatMap((i) => [i.id, ...i.blobs]));
    for (const l of this.layers.all()) blobs.add(l.tarDigest);
    for (const digest of await this.content.list()) {
      if (blobs.has(digest)) continue;
      this.log.info('removing unreferenced blob', { digest });
      await this.content.delete(digest);
    }
  }

  private usedChains(): Set<string> {
    const used = new Set<string>();
    for (const img of this.images.values()) for (const c of img.chainIds) used.add(c);
    for (const chains of this.holds.values()) for (const c of chains) used.add(c);
    return used;
  }

  /** Delete a layer and its blob when no other layer came from the same blob. */
  private async deleteLayer(chainId: Digest): Promise<void> {
    const info = this.layers.get(chainId);
    await this.layers.remove(chainId);
    if (info && !this.layers.all().some((l) => l.tarDigest === info.tarDigest)) await this.content.delete(info.tarDigest);
  }

  /** Remove a layer this process just created when nothing came to reference it. */
  async discardLayer(chainId: Digest): Promise<void> {
    await this.lock.run(async () => {
      if (this.usedChains().has(chainId) || this.layers.isPinned(chainId) || !this.layers.has(chainId)) return;
      await this.deleteLayer(chainId);
    });
  }

  get(id: string): ImageEntry | undefined {
    return this.images.get(digestHex(id));
  }

  /** Docker's GetImage: full or short ID, sha256:..., name[:tag], name@digest. */
  resolve(refOrId: string): ImageEntry {
    const any = parseAnyReference(refOrId);
    if (any.kind === 'digest') {
      const img = this.get(any.digest);
      if (img) return img;
      throw new NotFoundError(`No such image: ${any.digest}`);
    }
    const id = this.refs.get(any.ref);
    if (id) {
      const img = this.get(id);
      if (img) return img;
    }
    const byPrefix = this.search(refOrId);
    if (byPrefix) return byPrefix;
    throw notFound(any.ref);
  }

  /** A unique image whose ID starts with `prefix` (optionally "sha256:"-prefixed). */
  search(prefix: string): ImageEntry | undefined {
    const p = prefix.startsWith('sha256:') ? prefix.slice(7) : prefix;
    if (!isHexPrefix(p)) return undefined;
    let found: ImageEntry | undefined;
    for (const [hex, img] of this.images) {
      if (hex.startsWith(p)) {
        if (found) return undefined; // ambiguous
        found = img;
      }
    }
    return found;
  }

  children(id: string): ImageEntry[] {
    return [...this.images.values()].filter((i) => i.parent === id);
  }

  size(img: ImageEntry): number {
    let n = 0;
    for (const c of img.chainIds) n += this.layers.get(c)?.size ?? 0;
    return n;
  }

  record(img: ImageEntry, refs: Reference[] = this.refs.byImage(img.id)): ImageRecord {
    return {
      id: img.id,
      repoTags: refs.filter((r) => r.tag !== undefined && r.digest === undefined).map(familiarString),
      repoDigests: refs.filter((r) => r.digest !== undefined).map(familiarString),
      config: img.config,
      created: img.config.created ?? '',
      size: this.size(img),
      parent: img.parent,
      comment: img.config.comment ?? '',
      layers: img.config.rootfs.diff_ids,
    };
  }

  /**
   * Create (or find) the image whose config is `configBytes`; its layers must be stored.
   * Call under the lock.
   */
  async createImage(configBytes: Uint8Array, opts: { parent?: string } = {}): Promise<{ image: ImageEntry; created: boolean }> {
    const id = sha256(configBytes);
    const existing = this.get(id);
    if (existing) return { image: existing, created: false };
    const entry = entryFromConfig(id, configBytes, { id, parent: opts.parent });
    const missing = entry.chainIds.find((c) => !this.layers.has(c));
    if (missing) throw new InvalidArgumentError(`Cannot create image ${id}: layer ${missing} does not exist`);
    await this.content.put(configBytes, { expected: id });
    await this.writeMeta(entry);
    this.images.set(digestHex(id), entry);
    return { image: entry, created: true };
  }

  /** An image's metadata writes in flight, one after another: a later one never lands before an earlier one. */
  private readonly metaWrites = new Map<string, Promise<void>>();

  /**
   * Write an image's metadata as it is when the write starts, after any earlier write of it.
   * `durable: false` when only the last tag time changed: a power cut may lose that, nothing else.
   */
  async writeMeta(e: ImageEntry, opts: { durable?: boolean } = {}): Promise<void> {
    const key = digestHex(e.id);
    const before = this.metaWrites.get(key)?.catch(() => {}) ?? Promise.resolve();
    const write = before.then(() => this.metas.put(key, {
      id: e.id, ...(e.parent ? { parent: e.parent } : {}), ...(e.lastTagTime ? { lastTagTime: e.lastTagTime } : {}), ...(e.blobs.length ? { blobs: e.blobs } : {}),
    }, opts));
    this.metaWrites.set(key, write);
    try {
      await write;
    } finally {
      if (this.metaWrites.get(key) === write) this.metaWrites.delete(key);
    }
  }

  /** Point `ref` at `img` (in memory; call saveRefs after). */
  setTag(ref: Reference, img: ImageEntry): void {
    this.refs.set(ref, img.id);
    img.lastTagTime = new Date().toISOString();
  }

  async saveRefs(touched: Iterable<ImageEntry> = []): Promise<void> {
    await this.refs.save();
    for (const img of touched) if (this.get(img.id)) await this.writeMeta(img);
  }

  /**
   * Delete an image's metadata and config, then every layer of it no other image (or
   * in-flight operation) uses. Returns the chain IDs deleted, top-most first.
   */
  async deleteImage(img: ImageEntry): Promise<Digest[]> {
    // A metadata write still in flight would bring the file back after the delete.
    await this.metaWrites.get(digestHex(img.id))?.catch(() => {});
    await this.metas.delete(digestHex(img.id));
    this.images.delete(digestHex(img.id));
    if (![...this.images.values()].some((i) => i.id === img.id)) await this.content.delete(img.id);
    const kept = new Set([...this.images.values()].flatMap((i) => i.blobs));
    for (const b of img.blobs) if (!kept.has(b)) await this.content.delete(b);
    const used = this.usedChains();
    const removed: Digest[] = [];
    for (const c of [...img.chainIds].reverse()) {
      if (used.has(c) || this.layers.isPinned(c) || !this.layers.has(c)) continue;
      await this.deleteLayer(c);
      removed.push(c);
    }
    return removed;
  }
}

export function notFound(ref: Reference): NotFoundError {
  return new NotFoundError(`No such image: ${familiarString(tagNameOnly(ref))}`);
}

/** Parse and sanity-check a config; computes the chain IDs. */
export function entryFromConfig(id: Digest, bytes: Uint8Array, meta: ImageMeta): ImageEntry {
  let config: ImageConfig;
  try {
    config = JSON.parse(Buffer.from(bytes).toString('utf8')) as ImageConfig;
  } catch (e) {
    throw new InvalidArgumentError(`invalid image config ${id}: ${(e as Error).message}`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new InvalidArgumentError(`invalid image config ${id}: not a JSON object`);
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (!Array.isArray(diffIds) || !diffIds.every((d) => typeof d === 'string' && isDigest(d))) {
    throw new InvalidArgumentError(`invalid image config ${id}: rootfs.diff_ids must be sha256 digests`);
  }
  if (config.rootfs && config.rootfs.type !== 'layers') throw new InvalidArgumentError(`invalid image config ${id}: unsupported rootfs type "${config.rootfs.type}"`);
  config.rootfs ??= { type: 'layers', diff_ids: [] };
  return {
    id,
    config,
    configSize: bytes.length,
    parent: meta.parent ?? '',
    lastTagTime: meta.lastTagTime ?? '',
    chainIds: diffIds.length > 0 ? chainIds(diffIds) : [],
    blobs: Array.isArray(meta.blobs) ? meta.blobs.filter(isDigest) : [],
  };
}
