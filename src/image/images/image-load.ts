import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Channel, InvalidArgumentError, sha256, shortId, type Digest } from '../../base/index.js';
import {
  ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME, familiarString, parseNormalizedNamed,
  MEDIA_TYPE_DOCKER_MANIFEST_LIST, MEDIA_TYPE_OCI_INDEX, type Descriptor, type ImageConfig, type Index, type Manifest, type Reference,
} from '../../oci/index.js';
import { StagedArchive } from './archive-stage.js';
import { hostPlatform } from './image-create.js';
import { entryFromConfig, type ImageEntry, type ImageStore } from './image-store.js';
import type { LoadEvent } from './types.js';

/** One image of an archive, from manifest.json (Docker) or index.json (OCI layout). */
interface LoadItem {
  config: string;
  repoTags: string[];
  layers: string[];
  parent?: string;
}

interface DockerManifestItem {
  Config?: unknown;
  RepoTags?: unknown;
  Layers?: unknown;
  Parent?: unknown;
}

function invalid(msg: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid archive: ${msg}`);
}

async function readJson<T>(staged: StagedArchive, name: string, what: string): Promise<T> {
  const f = staged.get(name);
  if (!f) throw invalid(`${what} ${name} not found`);
  return import('node:fs/promises').then(async (fs) => {
    try {
      return JSON.parse(await fs.readFile(f.path, 'utf8')) as T;
    } catch (e) {
      throw invalid(`failed to decode ${name}: ${(e as Error).message}`);
    }
  });
}

function blobName(digest: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!m) throw invalid(`unsupported digest ${JSON.stringify(digest)}`);
  return `blobs/sha256/${m[1]}`;
}

async function itemsFromManifest(staged: StagedArchive): Promise<LoadItem[]> {
  const doc = await readJson<unknown>(staged, 'manifest.json', 'manifest');
  if (doc === null) throw new InvalidArgumentError('invalid manifest, manifest cannot be null (but can be [])');
  if (!Array.isArray(doc)) throw invalid('manifest.json is not a list');
  return (doc as DockerManifestItem[]).map((m) => {
    if (typeof m?.Config !== 'string' || !Array.isArray(m.Layers) || !m.Layers.every((l) => typeof l === 'string')) throw invalid('malformed manifest.json entry');
    const tags = Array.isArray(m.RepoTags) ? m.RepoTags.filter((t): t is string => typeof t === 'string') : [];
    return { config: m.Config, layers: m.Layers as string[], repoTags: tags, ...(typeof m.Parent === 'string' && m.Parent ? { parent: m.Parent } : {}) };
  });
}

async function itemsFromOciIndex(staged: StagedArchive): Promise<LoadItem[]> {
  const index = await readJson<Index>(staged, 'index.json', 'index');
  const byManifest = new Map<string, LoadItem>();
  const host = hostPlatform();
  const pick = async (d: Descriptor, depth: number): Promise<Descriptor | undefined> => {
    if (d.mediaType !== MEDIA_TYPE_OCI_INDEX && d.mediaType !== MEDIA_TYPE_DOCKER_MANIFEST_LIST) return d;
    if (depth > 4) throw invalid('index nesting too deep');
    const inner = await readJson<Index>(staged, blobName(d.digest), 'index');
    const match = inner.manifests?.find((m) => m.platform?.os === host.os && m.platform?.architecture === host.architecture) ?? inner.manifests?.find((m) => !m.platform);
    return match ? pick(match, depth + 1) : undefined;
  };
  for (const top of index.manifests ?? []) {
    const d = await pick(top, 0);
    if (!d) continue;
    let item = byManifest.get(d.digest);
    if (!item) {
      const m = await readJson<Manifest>(staged, blobName(d.digest), 'manifest');
      if (!m.config || !Array.isArray(m.layers)) throw invalid(`malformed manifest ${d.digest}`);
      item = { config: blobName(m.config.digest), layers: m.layers.map((l) => blobName(l.digest)), repoTags: [] };
      byManifest.set(d.digest, item);
    }
    const name = top.annotations?.[ANNOTATION_IMAGE_NAME] ?? top.annotations?.[ANNOTATION_REF_NAME];
    if (name) {
      try {
        const ref = parseNormalizedNamed(name);
        if (ref.tag !== undefined && ref.digest === undefined && (name.includes('/') || name.includes(':'))) item.repoTags.push(familiarString(ref));
      } catch { /* a bare tag such as "latest" names no repository */ }
    }
  }
  return [...byManifest.values()];
}

interface Prepared {
  item: LoadItem;
  bytes: Buffer;
  entry: ImageEntry;
  tags: Reference[];
}

/** Docker's checkValidParent: the child's history is the parent's plus one entry. */
function validParent(child: ImageConfig, parent: ImageConfig): boolean {
  const ch = child.history ?? [];
  const ph = parent.history ?? [];
  if (ch.length === 0 && ph.length === 0) return true;
  if (ch.length - ph.length !== 1) return false;
  return ph.every((h, i) => {
    const c = ch[i]!;
    const t = (s?: string): number | undefined => (s ? Date.parse(s) : undefined);
    return t(h.created) === t(c.created) && JSON.stringify({ ...h, created: undefined }) === JSON.stringify({ ...c, created: undefined });
  });
}

/**
 * `docker load`: stage the archive, unpack missing layers, then create images and tags in
 * one locked step. Any failure (truncated or corrupt archive, digest mismatch, abort)
 * removes every layer, blob, image and tag this load added.
 */
/** `onLoaded`: told the IDs of the images the archive held, once they are committed. */
export function loadImages(store: ImageStore, src: Readable | AsyncIterable<Buffer>, opts: LoadOptions = {}): AsyncIterable<LoadEvent> {
  const ch = new Channel<LoadEvent>();
  runLoad(store, src, opts, ch).then(() => ch.close(), (e: unknown) => ch.close(e));
  return ch;
}

export interface LoadOptions { quiet?: boolean; signal?: AbortSignal; onLoaded?: (imageIds: string[]) => void }

async function runLoad(store: ImageStore, src: Readable | AsyncIterable<Buffer>, opts: LoadOptions, ch: Channel<LoadEvent>): Promise<void> {
  const { signal } = opts;
  const stageDir = await mkdtemp(join(store.tmpDir, 'load-'));
  const pinned: Digest[] = [];
  const createdLayers: Digest[] = [];
  const createdImages: ImageEntry[] = [];
  const refsBefore = store.refs.all();
  let refsTouched = false;
  try {
    const staged = await StagedArchive.stage(src, stageDir, signal);
    let items: LoadItem[];
    if (staged.has('manifest.json')) items = await itemsFromManifest(staged);
    else if (staged.has('index.json')) items = await itemsFromOciIndex(staged);
    else throw invalid('does not contain a manifest.json');

    const prepared: Prepared[] = [];
    for (const item of items) {
      const f = staged.get(item.config);
      if (!f) throw invalid(`image config ${item.config} not found`);
      const bytes = await readFile(f.path);
      const entry = entryFromConfig(sha256(bytes), bytes, { id: sha256(bytes) });
      if (entry.config.os && entry.config.os !== 'linux') throw new InvalidArgumentError(`cannot load ${entry.config.os} image on linux`);
      const diffIds = entry.config.rootfs.diff_ids;
      if (item.layers.length !== diffIds.length) throw new InvalidArgumentError(`invalid manifest, layers length mismatch: expected ${item.layers.length}, got ${diffIds.length}`);
      const tags = item.repoTags.map((t) => {
        const ref = parseNormalizedNamed(t);
        if (ref.tag === undefined || ref.digest !== undefined) throw new InvalidArgumentError(`invalid tag "${t}"`);
        return ref;
      });
      prepared.push({ item, bytes, entry, tags });
    }

    for (const p of prepared) {
      const diffIds = p.entry.config.rootfs.diff_ids;
      for (let i = 0; i < diffIds.length; i++) {
        signal?.throwIfAborted();
        const chain = p.entry.chainIds[i]!;
        if (store.layers.has(chain)) {
          store.layers.pin(chain);
          pinned.push(chain);
          continue;
        }
        const file = staged.get(p.item.layers[i]!);
        if (!file) throw invalid(`layer ${p.item.layers[i]} not found`);
        const id = shortId(diffIds[i]!);
        const total = file.size;
        let last = -Infinity;
        const step = Math.max(total / 100, 1 << 16);
        const onProgress = opts.quiet ? undefined : (n: number): void => {
          if (n - last >= step || n === total) {
            last = n;
            ch.push({ type: 'progress', id, status: 'Loading layer', current: n, total });
          }
        };
        const reg = await store.layers.registerFile(file.path, file.digest, { parent: i > 0 ? p.entry.chainIds[i - 1]! : '', expectedDiffId: diffIds[i]!, signal, onProgress });
        pinned.push(chain);
        if (reg.created) createdLayers.push(chain);
        if (reg.blobCreated) file.path = store.content.path(file.digest);
      }
    }

    const messages: string[] = [];
    await store.lock.run(async () => {
      const loaded = new Map<string, ImageEntry>();
      for (const p of prepared) {
        const { image, created } = await store.createImage(p.bytes);
        if (created) createdImages.push(image);
        loaded.set(image.id, image);
        p.entry = image;
      }
      // parents recorded in the archive, kept only when both images came in it and fit
      for (const p of prepared) {
        const parent = p.item.parent ? loaded.get(p.item.parent) : undefined;
        if (parent && parent.id !== p.entry.id && !p.entry.parent && validParent(p.entry.config, parent.config)) {
          p.entry.parent = parent.id;
          await store.writeMeta(p.entry);
        }
      }
      let tagged = 0;
      const touched: ImageEntry[] = [];
      for (const p of prepared) {
        for (const ref of p.tags) {
          const prev = store.refs.get(ref);
          if (prev && prev !== p.entry.id) messages.push(`The image ${familiarString(ref)} already exists, renaming the old one with ID ${prev} to empty string\n`);
          store.setTag(ref, p.entry);
          refsTouched = true;
          touched.push(p.entry);
          messages.push(`Loaded image: ${familiarString(ref)}\n`);
          tagged++;
        }
      }
      if (tagged === 0) for (const p of prepared) messages.push(`Loaded image ID: ${p.entry.id}\n`);
      await store.saveRefs(touched);
    });
    for (const text of messages) ch.push({ type: 'message', text });
    opts.onLoaded?.(prepared.map((p) => p.entry.id));
  } catch (e) {
    await rollback(store, { pinned, createdLayers, createdImages, refsBefore: refsTouched ? refsBefore : undefined });
    pinned.length = 0;
    throw signal?.aborted ? signal.reason : e;
  } finally {
    for (const c of pinned) store.layers.unpin(c);
    await rm(stageDir, { recursive: true, force: true });
  }
}

async function rollback(store: ImageStore, r: { pinned: Digest[]; createdLayers: Digest[]; createdImages: ImageEntry[]; refsBefore?: ReturnType<ImageStore['refs']['all']> }): Promise<void> {
  for (const c of r.pinned) store.layers.unpin(c);
  try {
    await store.lock.run(async () => {
      if (r.refsBefore) {
        for (const { ref } of store.refs.all()) store.refs.delete(ref);
        for (const { ref, id } of r.refsBefore) store.refs.set(ref, id);
        await store.refs.save();
      }
      for (const img of r.createdImages) await store.deleteImage(img);
    });
    for (const c of [...r.createdLayers].reverse()) await store.discardLayer(c);
  } catch (e) {
    store.log.error('rolling back a failed load failed; leftovers go at the next start', { error: String(e) });
  }
}

