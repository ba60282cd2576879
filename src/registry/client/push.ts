import { Transform } from 'node:stream';
import { InvalidArgumentError, NotFoundError, sha256, shortId, type Digest } from '../../base/index.js';
import type { Channel } from '../../base/index.js';
import { parsePlatform, type LayerInfo } from '../../image/index.js';
import {
  MEDIA_TYPE_DOCKER_CONFIG, MEDIA_TYPE_DOCKER_LAYER_GZIP, MEDIA_TYPE_DOCKER_MANIFEST, MEDIA_TYPE_OCI_CONFIG, MEDIA_TYPE_OCI_LAYER,
  MEDIA_TYPE_OCI_LAYER_GZIP, MEDIA_TYPE_OCI_LAYER_ZSTD, MEDIA_TYPE_OCI_MANIFEST, familiarName, familiarString, parseNormalizedNamed,
  referenceName, type Descriptor, type Reference,
} from '../../oci/index.js';
import type { Limiter } from './limiter.js';
import { errorForStatus, registryErrorText } from './registry-error.js';
import type { RegistrySession } from './session.js';
import type { EventSink, RegistryImages, TransferEvent } from './types.js';

export interface PushContext {
  images: RegistryImages;
  events?: EventSink;
  uploads: Limiter;
  session: RegistrySession;
}

const OCI_LAYER_TYPE: Record<string, string> = { none: MEDIA_TYPE_OCI_LAYER, gzip: MEDIA_TYPE_OCI_LAYER_GZIP, zstd: MEDIA_TYPE_OCI_LAYER_ZSTD };

/**
 * The manifest for a local image, with layers as stored: Docker's schema 2 when every layer is
 * gzip (as dockerd pushes), else an OCI manifest naming each layer's compression (an
 * uncompressed layer is pushed as it is rather than recompressed: see docs/differences.md).
 */
export function buildManifest(config: { digest: Digest; size: number }, layers: Array<{ digest: Digest; size: number; compression: string }>): { mediaType: string; bytes: Buffer } {
  const docker = layers.every((l) => l.compression === 'gzip');
  for (const l of layers) {
    if (!OCI_LAYER_TYPE[l.compression]) throw new InvalidArgumentError(`Cannot push a ${l.compression} layer ${l.digest}: registries take plain, gzip or zstd layers`);
  }
  const mediaType = docker ? MEDIA_TYPE_DOCKER_MANIFEST : MEDIA_TYPE_OCI_MANIFEST;
  const doc = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: docker ? MEDIA_TYPE_DOCKER_CONFIG : MEDIA_TYPE_OCI_CONFIG, size: config.size, digest: config.digest },
    layers: layers.map((l): Descriptor => ({ mediaType: docker ? MEDIA_TYPE_DOCKER_LAYER_GZIP : OCI_LAYER_TYPE[l.compression]!, size: l.size, digest: l.digest })),
  };
  return { mediaType, bytes: Buffer.from(JSON.stringify(doc, null, 3)) };
}

async function blobExists(s: RegistrySession, repo: string, digest: Digest, signal?: AbortSignal): Promise<boolean> {
  const res = await s.request(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD', scopes: [`repository:${repo}:pull,push`], signal });
  res.body.resume();
  if (res.status === 200) return true;
  if (res.status === 404) return false;
  throw errorForStatus(res.status, `Head blob ${digest}: unexpected status ${res.status}`);
}

/** Try a cross-repository mount; on 202 the registry opened an upload instead, whose location is returned. */
async function mount(s: RegistrySession, repo: string, from: string, digest: Digest, signal?: AbortSignal): Promise<{ mounted: true } | { mounted: false; location?: string }> {
  const res = await s.request(`/v2/${repo}/blobs/uploads/?mount=${digest}&from=${encodeURIComponent(from)}`, {
    method: 'POST', scopes: [`repository:${repo}:pull,push`, `repository:${from}:pull`], signal,
  });
  res.body.resume();
  if (res.status === 201) return { mounted: true };
  if (res.status === 202 && typeof res.headers.location === 'string') return { mounted: false, location: res.headers.location };
  return { mounted: false };
}

async function upload(ctx: PushContext, repo: string, blob: { digest: Digest; size: number }, o: { location?: string; signal?: AbortSignal; onProgress?: (n: number) => void }): Promise<void> {
  const s = ctx.session;
  let location = o.location;
  if (!location) {
    const res = await s.request(`/v2/${repo}/blobs/uploads/`, { method: 'POST', scopes: [`repository:${repo}:pull,push`], signal: o.signal });
    if (res.status !== 202 || typeof res.headers.location !== 'string') {
      const { text } = await registryErrorText(res);
      throw errorForStatus(res.status, text);
    }
    res.body.resume();
    location = res.headers.location;
  }
  const u = new URL(location, s.origin);
  u.searchParams.set('digest', blob.digest);
  const content = ctx.images.content;
  const res = await s.request(u.toString(), {
    method: 'PUT', scopes: [`repository:${repo}:pull,push`], signal: o.signal,
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(blob.size) },
    body: () => {
      let n = 0;
      let last = -1;
      const step = Math.max(blob.size / 50, 1 << 16);
      return content.read(blob.digest).pipe(new Transform({
        transform(chunk: Buffer, _enc, cb) {
          n += chunk.length;
          if (n - last >= step || n === blob.size) {
            last = n;
            o.onProgress?.(n);
          }
          cb(null, chunk);
        },
      }));
    },
  });
  if (res.status !== 201) {
    const { text } = await registryErrorText(res);
    throw errorForStatus(res.status, text);
  }
  res.body.resume();
}

/** Other repositories of the same registry this image came from or went to: cross-mount sources. */
function mountSources(ref: Reference, names: string[]): string[] {
  const out = new Set<string>();
  for (const n of names) {
    try {
      const r = parseNormalizedNamed(n);
      if (r.domain === ref.domain && r.path !== ref.path) out.add(r.path);
    } catch { /* not a name */ }
  }
  return [...out];
}

/**
 * Push one tag: each layer is skipped when the repository has it (HEAD), mounted from another
 * repository of the registry the image is known in, or uploaded (max-concurrent-uploads at
 * once); then the config and the manifest. The manifest's digest becomes a RepoDigest.
 */
export async function pushTag(ctx: PushContext, ref: Reference & { tag: string }, opts: { platform?: string; signal?: AbortSignal }, ch: Channel<TransferEvent>): Promise<void> {
  const { images, session } = ctx;
  const { signal } = opts;
  const img = images.inspect(familiarString(ref));
  if (opts.platform) {
    // one image is one platform here: --platform must name it
    const want = parsePlatform(opts.platform);
    const c = img.config;
    if (c.os !== want.os || c.architecture !== want.architecture || (want.variant && c.variant !== want.variant)) {
      throw new NotFoundError(`image with reference ${familiarString(ref)} was found but does not provide the specified platform (${want.os}/${want.architecture}${want.variant ? `/${want.variant}` : ''})`);
    }
  }
  const repo = ref.path;
  const sources = mountSources(ref, [...img.repoTags, ...img.repoDigests]);
  const layers: Array<{ info: LayerInfo; size: number }> = [];
  for (const c of img.chainIds) {
    const info = images.layer(c);
    if (!info) throw new InvalidArgumentError(`layer ${c} of ${familiarString(ref)} does not exist`);
    layers.push({ info, size: await images.content.size(info.tarDigest) });
  }
  const display = [...layers].reverse();
  for (const l of display) ch.push({ status: 'Preparing', id: shortId(l.info.tarDigest), layer: true });
  const seen = new Map<string, Promise<void>>();
  const jobs = display.map((l) => {
    const digest = l.info.tarDigest;
    const id = shortId(digest);
    const existing = seen.get(digest);
    if (existing) return existing;
    const p = ctx.uploads.run(async () => {
      if (await blobExists(session, repo, digest, signal)) {
        ch.push({ status: 'Layer already exists', id, layer: true });
        return;
      }
      let location: string | undefined;
      for (const from of sources) {
        const r = await mount(session, repo, from, digest, signal);
        if (r.mounted) {
          ch.push({ status: `Mounted from ${from}`, id, layer: true });
          return;
        }
        location = r.location;
        if (location) break;
      }
      await upload(ctx, repo, { digest, size: l.size }, { location, signal, onProgress: (n) => ch.push({ status: 'Pushing', id, current: n, total: l.size }) });
      ch.push({ status: 'Pushed', id, layer: true });
    }, () => ch.push({ status: 'Waiting', id, layer: true }));
    seen.set(digest, p);
    return p;
  });
  const results = await Promise.allSettled(jobs);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const configBytes = await images.content.readBytes(img.id);
  if (!(await blobExists(session, repo, img.id, signal))) await upload(ctx, repo, { digest: img.id, size: configBytes.length }, { signal });
  const { mediaType, bytes } = buildManifest({ digest: img.id, size: configBytes.length }, layers.map((l) => ({ digest: l.info.tarDigest, size: l.size, compression: l.info.compression })));
  const res = await session.request(`/v2/${repo}/manifests/${ref.tag}`, {
    method: 'PUT', scopes: [`repository:${repo}:pull,push`], signal, headers: { 'Content-Type': mediaType }, body: bytes,
  });
  if (res.status !== 201) {
    const { text } = await registryErrorText(res);
    throw errorForStatus(res.status, text);
  }
  res.body.resume();
  const digest = sha256(bytes);
  await images.recordPushed(img.id, { repoDigest: `${referenceName(ref)}@${digest}`, manifest: bytes });
  ch.push({ status: `${ref.tag}: digest: ${digest} size: ${bytes.length}` });
  ch.push({ status: '', aux: { Tag: ref.tag, Digest: digest, Size: bytes.length } });
  const labels = img.config.config?.Labels ?? {};
  ctx.events?.publish({ type: 'image', action: 'push', actor: { id: familiarString(ref), attributes: { ...labels, name: familiarName(ref) } } });
}
