import type { Readable, Writable } from 'node:stream';
import { InvalidArgumentError, silentLogger, type Digest, type EngineEvent, type Filters, type Logger } from '../../base/index.js';
import { familiarString, parseNormalizedNamed, type ImageRuntimeConfig, type ImageConfig } from '../../oci/index.js';
import type { ContentStore } from '../content/index.js';
import { createImage, createImageFromHistory, parsePlatform, parseTagTarget, type NewImageOptions } from './image-create.js';
import { imageHistory } from './image-history.js';
import { listImages } from './image-list.js';
import { loadImages } from './image-load.js';
import { pruneImagesLocked, removeImageLocked, type PruneOptions, type RemoveOptions } from './image-remove.js';
import { saveImages } from './image-save.js';
import { ImageStore } from './image-store.js';
import type { BlobCommit, LayerInfo, RegisterLayerOptions, RegisteredLayer, UnpackedLayer } from './layer-store.js';
import type { DeleteRecord, HistoryEntry, ImageDetails, ImageRecord, LoadEvent } from './types.js';

export interface ImportOptions {
  repoTag?: string;
  changes?: string[];
  message?: string;
  platform?: string;
  signal?: AbortSignal;
}

export interface CommitOptions {
  /** Image (ref or ID) the container ran; its layers and history are kept. */
  parent?: string;
  /** The container's diff (e.g. diffUpper of its upper dir); none for a metadata-only image. */
  diff?: Readable | AsyncIterable<Buffer>;
  config: ImageRuntimeConfig;
  changes?: string[];
  author?: string;
  comment?: string;
  createdBy?: string;
  created?: string;
  repoTag?: string;
  extra?: Partial<ImageConfig>;
  signal?: AbortSignal;
}

/** Where the service reports what happens to images (the daemon's event log). */
export interface ImageEventSink {
  publish(event: EngineEvent): void;
}

/** Holders of a container's layers are named "container:<id>" (see the overlay snapshotter). */
const CONTAINER_HOLDER = 'container:';

/**
 * Images, layers and references under a data root: Docker's image semantics (IDs,
 * tags, rmi/prune rules, save/load formats) over crash-safe storage.
 */
export class ImageService {
  private constructor(private readonly store: ImageStore, private readonly events: ImageEventSink | undefined) {}

  static async open(opts: { root: string; log?: Logger; events?: ImageEventSink }): Promise<ImageService> {
    return new ImageService(await ImageStore.open(opts.root, opts.log ?? silentLogger), opts.events);
  }

  /** dockerd's image event: the image's labels while it exists, and `name` (the ID unless a tag is meant). */
  private event(action: string, imageId: string, name: string = imageId): void {
    if (!this.events) return;
    const labels = this.store.get(imageId)?.config.config?.Labels ?? {};
    this.events.publish({ type: 'image', action, actor: { id: imageId, attributes: { ...labels, name } } });
  }

  private readonly onRemoval = (action: 'untag' | 'delete', imageId: string): void => this.event(action, imageId);

  /** The blob store, for the registry client and server. */
  get content(): ContentStore {
    return this.store.content;
  }

  list(opts: { all?: boolean; filters?: Filters } = {}): Promise<ImageRecord[]> {
    return Promise.resolve().then(() => listImages(this.store, opts));
  }

  /** By name[:tag], name@digest, full/short ID or sha256:...; NotFoundError `No such image: ...`. */
  get(refOrId: string): ImageRecord {
    return this.store.record(this.store.resolve(refOrId));
  }

  inspect(refOrId: string): ImageDetails {
    const img = this.store.resolve(refOrId);
    return { ...this.store.record(img), lastTagTime: img.lastTagTime, chainIds: [...img.chainIds], lowerDirs: this.lowerDirs(img.chainIds) };
  }

  /** The image config exactly as stored (its sha256 is the image ID). */
  configBytes(refOrId: string): Promise<Buffer> {
    return this.store.content.readBytes(this.store.resolve(refOrId).id);
  }

  history(refOrId: string): HistoryEntry[] {
    return imageHistory(this.store, refOrId);
  }

  async tag(source: string, target: string): Promise<void> {
    const img = this.store.resolve(source);
    const ref = parseTagTarget(target);
    await this.store.lock.run(async () => {
      this.store.resolve(img.id); // still there? throws NotFoundError when removed meanwhile
      // A tag that already names the image (a rebuild's -t) changes only its last tag time: that
      // write is not waited for (writeMeta keeps the image's writes in order; a kill -9 may lose it).
      const unchanged = this.store.refs.get(ref) === img.id;
      this.store.setTag(ref, img);
      if (unchanged) this.store.writeMeta(img, { durable: false }).catch(() => {});
      else await this.store.saveRefs([img]);
    });
    this.event('tag', img.id, familiarString(ref));
  }

  remove(ref: string, opts: RemoveOptions = {}): Promise<DeleteRecord[]> {
    return this.store.lock.run(() => removeImageLocked(this.store, ref, { ...opts, onEvent: this.onRemoval }));
  }

  prune(opts: PruneOptions): Promise<{ deleted: DeleteRecord[]; spaceReclaimed: number }> {
    return this.store.lock.run(async () => {
      const r = await pruneImagesLocked(this.store, { ...opts, onEvent: this.onRemoval });
      this.events?.publish({ type: 'image', action: 'prune', actor: { id: '', attributes: { reclaimed: String(r.spaceReclaimed) } } });
      return r;
    });
  }

  /** `docker import`: one layer from a tar (plain, gzip, bzip2, xz, zstd) plus --change lines. */
  async importTar(src: Readable | AsyncIterable<Buffer>, opts: ImportOptions = {}): Promise<ImageRecord> {
    const img = await createImage(this.store, {
      diff: src,
      changes: opts.changes,
      comment: opts.message,
      platform: parsePlatform(opts.platform),
      repoTag: opts.repoTag,
      signal: opts.signal,
    });
    // dockerd tags the new image (a tag event), then reports the import.
    if (opts.repoTag) this.event('tag', img.id, familiarString(parseTagTarget(opts.repoTag)));
    this.event('import', img.id);
    return this.store.record(img);
  }

  /** `docker commit` and the builder: a new image on top of `parent` with an optional diff layer. */
  async commit(opts: CommitOptions): Promise<ImageRecord> {
    const o: NewImageOptions = { ...opts, recordParent: true, skipEmptyLayer: true };
    const img = await createImage(this.store, o);
    if (opts.repoTag) this.event('tag', img.id, familiarString(parseTagTarget(opts.repoTag)));
    return this.store.record(img);
  }

  /** The builder's `--cache-from` hit: one history step of `source` stacked on `parent` (see createImageFromHistory). */
  async commitFromHistory(opts: { parent?: string; source: string; index: number; config: ImageRuntimeConfig }): Promise<ImageRecord> {
    return this.store.record(await createImageFromHistory(this.store, opts));
  }

  load(src: Readable | AsyncIterable<Buffer>, opts: { quiet?: boolean; signal?: AbortSignal } = {}): AsyncIterable<LoadEvent> {
    return loadImages(this.store, src, { ...opts, onLoaded: (ids) => { for (const id of ids) this.event('load', id); } });
  }

  save(refs: string[], out: Writable, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return saveImages(this.store, refs, out, opts).then(() => {
      const ids = new Set<string>();
      for (const r of refs) {
        try { ids.add(this.store.resolve(r).id); } catch { /* removed since it was saved */ }
      }
      for (const id of ids) this.event('save', id);
    });
  }

  /** Layers of an image for an overlay mount: chain IDs bottom first, lower dirs top-most first. */
  rootfsFor(imageId: string): { chainIds: string[]; lowerDirs: string[] } {
    const img = this.store.resolve(imageId);
    return { chainIds: [...img.chainIds], lowerDirs: this.lowerDirs(img.chainIds) };
  }

  private lowerDirs(chainIds: readonly Digest[]): string[] {
    return chainIds.map((c) => this.store.layers.diffDir(c)).reverse();
  }

  /** A stored layer by chain ID. */
  layer(chainId: string): LayerInfo | undefined {
    return this.store.layers.get(chainId);
  }

  /**
   * Stream a layer blob in (registry pulls): stored as it came and unpacked in one pass.
   * The layer stays pinned until `createImageFromConfig` or `unpinLayers`.
   */
  registerLayer(src: Readable | AsyncIterable<Buffer>, opts: RegisterLayerOptions = {}): Promise<RegisteredLayer> {
    return this.store.layers.register(src, opts);
  }

  /**
   * Unpack a layer stream (registry pulls, several at once) into a temp directory; `blob`
   * verifies and commits the bytes once they are all in, else nothing stays. A blob already
   * in the content store is passed as `blob: 'stored'`. Then `placeLayer`, bottom first.
   */
  unpackLayer(src: AsyncIterable<Buffer> | Readable, opts: Omit<RegisterLayerOptions, 'parent' | 'expectedBlobDigest'> & { blob: BlobCommit | { stored: Digest } }): Promise<UnpackedLayer> {
    const { blob } = opts;
    const commit = 'stored' in blob ? this.store.layers.adoptFile(this.store.content.path(blob.stored), blob.stored) : blob;
    return this.store.layers.unpack(src, commit, opts);
  }

  /** Put an unpacked layer on its parent; pinned like registerLayer's. */
  placeLayer(u: UnpackedLayer, parent: Digest | ''): Promise<RegisteredLayer> {
    return this.store.layers.place(u, parent);
  }

  /** Drop an unpacked layer that will not be placed. */
  discardLayer(u: UnpackedLayer): Promise<void> {
    return this.store.layers.discard(u);
  }

  /** Pin an already stored layer (in memory) for an image about to be created. */
  pinLayer(chainId: string): boolean {
    if (!this.store.layers.has(chainId)) return false;
    this.store.layers.pin(chainId);
    return true;
  }

  unpinLayers(chainIds: readonly string[]): void {
    for (const c of chainIds) this.store.layers.unpin(c);
  }

  /**
   * Keep an image's layers for `holder` (e.g. "container:<id>") until releaseRootfs, across
   * restarts, so a container's rootfs survives `rmi --force` of its image as in Docker.
   */
  async retainRootfs(holder: string, imageId: string): Promise<{ chainIds: string[]; lowerDirs: string[] }> {
    return this.store.lock.run(async () => {
      const img = this.store.resolve(imageId);
      await this.store.hold(holder, img.chainIds);
      return { chainIds: [...img.chainIds], lowerDirs: this.lowerDirs(img.chainIds) };
    });
  }

  /**
   * Release the holds of containers that no longer exist (a crash between a hold and the
   * container's record, or during a removal, leaves them pinning layers): `known` are the
   * containers that do. Call at start-up, before any container is created.
   */
  reclaimHolds(known: ReadonlySet<string>): Promise<string[]> {
    return this.store.lock.run(async () => {
      const removed: string[] = [];
      for (const holder of this.store.holders()) {
        const id = holder.startsWith(CONTAINER_HOLDER) ? holder.slice(CONTAINER_HOLDER.length) : undefined;
        if (id === undefined || known.has(id)) continue;
        removed.push(...(await this.store.release(holder)));
      }
      return removed;
    });
  }

  /** Release a holder's layers; those no image or holder uses are deleted (returned, top-most first). */
  releaseRootfs(holder: string): Promise<string[]> {
    return this.store.lock.run(() => this.store.release(holder));
  }

  /**
   * Create an image from config bytes whose layers are stored (pulls), then point
   * tags and digest references at it. Every layer must be pinned by the caller
   * (registerLayer or pinLayer); those pins are released.
   */
  async createImageFromConfig(configBytes: Uint8Array, opts: { repoTags?: string[]; repoDigests?: string[]; blobs?: Digest[] } = {}): Promise<ImageRecord> {
    const tags = (opts.repoTags ?? []).map(parseTagTarget);
    const digests = (opts.repoDigests ?? []).map((d) => {
      const r = parseNormalizedNamed(d);
      if (r.digest === undefined) throw new InvalidArgumentError(`Cannot record repository digest "${d}": expected name@sha256:<hex>`);
      return { domain: r.domain, path: r.path, digest: r.digest };
    });
    return this.store.lock.run(async () => {
      const { image } = await this.store.createImage(configBytes);
      // A reference already at this image is left as it is, as moby's reference store does: an
      // up-to-date pull writes nothing.
      const moved = [...tags, ...digests].filter((r) => this.store.refs.get(r) !== image.id);
      for (const r of moved) this.store.setTag(r, image);
      const added = (opts.blobs ?? []).filter((b) => !image.blobs.includes(b));
      image.blobs.push(...added);
      if (moved.length > 0) await this.store.saveRefs([image]);
      else if (added.length) await this.store.writeMeta(image);
      this.unpinLayers(image.chainIds);
      return this.store.record(image);
    });
  }

  /**
   * After a push: the manifest stored (kept with the image) and `name@digest` recorded as a
   * repository digest, as Docker does. The manifest bytes are verified against `digest`.
   */
  async recordPushed(imageId: string, opts: { repoDigest: string; manifest: Uint8Array }): Promise<void> {
    const r = parseNormalizedNamed(opts.repoDigest);
    if (r.digest === undefined) throw new InvalidArgumentError(`Cannot record repository digest "${opts.repoDigest}": expected name@sha256:<hex>`);
    const digest = await this.store.content.put(opts.manifest, { expected: r.digest as Digest });
    await this.store.lock.run(async () => {
      const image = this.store.resolve(imageId);
      if (!image.blobs.includes(digest)) image.blobs.push(digest);
      this.store.setTag({ domain: r.domain, path: r.path, digest }, image);
      await this.store.saveRefs([image]);
    });
  }

}
