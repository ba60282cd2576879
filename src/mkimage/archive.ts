import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestStream, digestHex, sha256, type Digest } from '../base/index.js';
import { MEDIA_TYPE_OCI_CONFIG, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_LAYER, MEDIA_TYPE_OCI_MANIFEST, OCI_LAYOUT_VERSION, parseReference, familiarString, referenceString } from '../oci/index.js';
import { writeTar, type TarHeader, type TarWriteEntry } from '../image/archive/index.js';

export interface ArchiveImage {
  /** The single layer, an uncompressed tar stream. */
  layer: Readable;
  /** The image's run config (Env, Cmd, ...). */
  config: Record<string, unknown>;
  /** RFC 3339; fixed for reproducible image IDs. */
  created: string;
  createdBy: string;
  repoTag: string;
  workDir?: string;
  signal?: AbortSignal;
}

/**
 * A docker-archive (manifest.json + OCI layout) holding one single-layer image, ready for
 * `POST /images/load` on any Engine. The layer is spooled to a temp file to learn its digest.
 */
export async function dockerArchive(img: ArchiveImage): Promise<{ stream: Readable; done: () => Promise<void> }> {
  const dir = await mkdtemp(join(img.workDir ?? tmpdir(), 'berth-mkimage-'));
  try {
    const layerPath = join(dir, 'layer.tar');
    const hash = new DigestStream();
    await pipeline(img.layer, hash, createWriteStream(layerPath), { signal: img.signal });
    const diffId = hash.digest();
    const layerSize = (await stat(layerPath)).size;
    const config = Buffer.from(JSON.stringify({
      architecture: goArch(), os: 'linux', created: img.created,
      config: img.config,
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created: img.created, created_by: img.createdBy }],
    }));
    const configDigest = sha256(config);
    const ref = parseReference(img.repoTag);
    const repoTag = familiarString(ref);
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_MANIFEST,
      config: { mediaType: MEDIA_TYPE_OCI_CONFIG, digest: configDigest, size: config.length },
      layers: [{ mediaType: MEDIA_TYPE_OCI_LAYER, digest: diffId, size: layerSize }],
    }));
    const manifestDigest = sha256(manifest);
    const index = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX,
      manifests: [{ mediaType: MEDIA_TYPE_OCI_MANIFEST, digest: manifestDigest, size: manifest.length, annotations: { 'io.containerd.image.name': referenceString(ref), 'org.opencontainers.image.ref.name': ref.tag ?? 'latest' } }],
    }));
    const dockerManifest = Buffer.from(JSON.stringify([{ Config: blobPath(configDigest), RepoTags: [repoTag], Layers: [blobPath(diffId)] }]));
    const mtime = Math.floor(Date.parse(img.created) / 1000);
    const file = (name: string, body: Buffer | string, size: number): TarWriteEntry => ({ header: header(name, size, mtime), body });
    const entries: TarWriteEntry[] = [
      { header: { ...header('blobs/', 0, mtime), type: 'directory', mode: 0o755 } },
      { header: { ...header('blobs/sha256/', 0, mtime), type: 'directory', mode: 0o755 } },
      file(blobPath(diffId), layerPath, layerSize),
      file(blobPath(configDigest), config, config.length),
      file(blobPath(manifestDigest), manifest, manifest.length),
      file('index.json', index, index.length),
      file('manifest.json', dockerManifest, dockerManifest.length),
      file('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: OCI_LAYOUT_VERSION })), JSON.stringify({ imageLayoutVersion: OCI_LAYOUT_VERSION }).length),
    ];
    return { stream: writeTar(entries, img.signal ? { signal: img.signal } : {}), done: () => rm(dir, { recursive: true, force: true }) };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

function blobPath(d: Digest): string {
  return `blobs/sha256/${digestHex(d)}`;
}

function header(name: string, size: number, mtime: number): TarHeader {
  return { name, type: 'file', mode: 0o644, uid: 0, gid: 0, size, mtime, linkname: '' };
}

function goArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm' } as Record<string, string>)[process.arch] ?? process.arch;
}
