import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { InvalidArgumentError, sha256, digestHex, type Digest } from '../../base/index.js';
import {
  ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME, familiarName, familiarString, isNameOnly, parseAnyReference, referenceString, tagNameOnly,
  MEDIA_TYPE_OCI_CONFIG, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_LAYER, MEDIA_TYPE_OCI_MANIFEST, OCI_LAYOUT_VERSION,
  type Descriptor, type Reference,
} from '../../oci/index.js';
import { decompressStream, writeTar, type TarHeader, type TarWriteEntry } from '../archive/index.js';
import { notFound, type ImageEntry, type ImageStore } from './image-store.js';
import type { LayerInfo } from './layer-store.js';

interface Selected {
  image: ImageEntry;
  refs: Reference[];
}

/** Docker's parseNames for save: IDs, name:tag, bare names (every tag of the repository). */
function selectImages(store: ImageStore, names: string[]): Map<string, Selected> {
  const out = new Map<string, Selected>();
  const add = (image: ImageEntry, ref?: Reference): void => {
    let s = out.get(image.id);
    if (!s) out.set(image.id, (s = { image, refs: [] }));
    if (!ref || ref.digest !== undefined) return;
    const tagged = tagNameOnly(ref);
    if (!s.refs.some((r) => referenceString(r) === referenceString(tagged))) s.refs.push(tagged);
  };
  for (const name of names) {
    const any = parseAnyReference(name);
    if (any.kind === 'digest') {
      add(store.resolve(any.digest));
      continue;
    }
    if (isNameOnly(any.ref)) {
      const assocs = store.refs.byName(any.ref);
      for (const a of assocs) {
        const img = store.get(a.id);
        if (img) add(img, a.ref);
      }
      if (assocs.length === 0) {
        const img = store.search(name);
        if (!img) throw notFound(any.ref);
        add(img);
      }
      continue;
    }
    const id = store.refs.get(any.ref);
    const img = id ? store.get(id) : store.search(name);
    if (!img) throw notFound(any.ref);
    add(img, id ? any.ref : undefined);
  }
  return out;
}

function fileHeader(name: string, size: number): TarHeader {
  return { name, type: 'file', mode: 0o644, uid: 0, gid: 0, size, mtime: 0, linkname: '' };
}

function dirHeader(name: string): TarHeader {
  return { name, type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0, linkname: '' };
}

async function* layerBody(store: ImageStore, l: LayerInfo): AsyncGenerator<Buffer> {
  const raw = store.content.read(l.tarDigest);
  if (l.compression === 'none') {
    yield* raw as AsyncIterable<Buffer>;
    return;
  }
  const { stream } = await decompressStream(raw as AsyncIterable<Buffer>);
  yield* stream as AsyncIterable<Buffer>;
}

/**
 * `docker save` in the layout Docker 25+ writes: an OCI image layout (blobs/sha256,
 * index.json, oci-layout) plus Docker's manifest.json and repositories, with uncompressed
 * layers whose digests are their diffIDs, so the IDs survive a round trip through Docker.
 */
export async function saveImages(store: ImageStore, names: string[], out: Writable, opts: { signal?: AbortSignal } = {}): Promise<void> {
  if (names.length === 0) throw new InvalidArgumentError('no images specified');
  const selected = selectImages(store, names);
  const pinned: Digest[] = [];
  for (const s of selected.values()) for (const c of s.image.chainIds) { store.layers.pin(c); pinned.push(c); }
  try {
    const blobs = new Map<string, TarWriteEntry>();
    const manifestJson: Array<Record<string, unknown>> = [];
    const indexEntries: Descriptor[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    for (const { image, refs } of selected.values()) {
      if (image.chainIds.length === 0) throw new InvalidArgumentError('empty export - not implemented');
      const config = await store.content.readBytes(image.id);
      blobs.set(digestHex(image.id), { header: fileHeader(`blobs/sha256/${digestHex(image.id)}`, config.length), body: config });
      const layers: Descriptor[] = [];
      const layerPaths: string[] = [];
      for (const c of image.chainIds) {
        const l = store.layers.get(c);
        if (!l) throw new InvalidArgumentError(`Cannot save image ${image.id}: layer ${c} is missing`);
        const hex = digestHex(l.diffId);
        layers.push({ mediaType: MEDIA_TYPE_OCI_LAYER, digest: l.diffId, size: l.tarSize });
        layerPaths.push(`blobs/sha256/${hex}`);
        if (!blobs.has(hex)) blobs.set(hex, { header: fileHeader(`blobs/sha256/${hex}`, l.tarSize), body: layerBody(store, l) });
      }
      const manifest = Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPE_OCI_MANIFEST,
        config: { mediaType: MEDIA_TYPE_OCI_CONFIG, digest: image.id, size: config.length },
        layers,
      }));
      const mdigest = sha256(manifest);
      blobs.set(digestHex(mdigest), { header: fileHeader(`blobs/sha256/${digestHex(mdigest)}`, manifest.length), body: manifest });
      const desc: Descriptor = { mediaType: MEDIA_TYPE_OCI_MANIFEST, digest: mdigest, size: manifest.length };
      for (const r of refs) {
        indexEntries.push({ ...desc, annotations: { [ANNOTATION_IMAGE_NAME]: referenceString(r), [ANNOTATION_REF_NAME]: r.tag! } });
        (repositories[familiarName(r)] ??= {})[r.tag!] = digestHex(image.config.rootfs.diff_ids[image.config.rootfs.diff_ids.length - 1]!);
      }
      if (refs.length === 0) indexEntries.push(desc);
      manifestJson.push({ Config: `blobs/sha256/${digestHex(image.id)}`, RepoTags: refs.length > 0 ? refs.map(familiarString) : null, Layers: layerPaths });
    }
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests: indexEntries }));
    const manifestFile = Buffer.from(`${JSON.stringify(manifestJson)}\n`);
    const layout = Buffer.from(`{"imageLayoutVersion": "${OCI_LAYOUT_VERSION}"}`);
    const entries: TarWriteEntry[] = [
      { header: dirHeader('blobs/') },
      { header: dirHeader('blobs/sha256/') },
      ...[...blobs.keys()].sort().map((k) => blobs.get(k)!),
      { header: fileHeader('index.json', index.length), body: index },
      { header: fileHeader('manifest.json', manifestFile.length), body: manifestFile },
      { header: fileHeader('oci-layout', layout.length), body: layout },
    ];
    if (Object.keys(repositories).length > 0) {
      const repos = Buffer.from(`${JSON.stringify(repositories)}\n`);
      entries.push({ header: fileHeader('repositories', repos.length), body: repos });
    }
    await pipeline(writeTar(entries, { signal: opts.signal }), out, { signal: opts.signal });
  } finally {
    for (const c of pinned) store.layers.unpin(c);
  }
}
