import { Channel, DigestMismatchError, InvalidArgumentError, isDigest, NotFoundError, shortId, UnavailableError, type Digest } from '../../base/index.js';
import { parsePlatform, platformMismatch, type UnpackedLayer } from '../../image/index.js';
import { chainIds, familiarName, familiarString, isValidTag, referenceName, type ImageConfig, type Platform, type Reference } from '../../oci/index.js';
import { fetchBlob, openBlobStream, streamBlob, type BlobFetchOptions } from './blob-fetch.js';
import type { Limiter } from './limiter.js';
import { fetchManifest, selectPlatform, type FetchedManifest } from './manifest.js';
import { readBody } from './transport.js';
import type { RegistrySession } from './session.js';
import type { EventSink, RegistryImages, TransferEvent } from './types.js';

export interface PullContext {
  images: RegistryImages;
  events?: EventSink;
  downloads: Limiter;
  attempts: number;
  /** Sessions to try in order (mirrors first); a mirror's failure falls through to the next. */
  sessions: RegistrySession[];
}

export interface PullOptions {
  platform?: string;
  signal?: AbortSignal;
}

/** Resolve a reference against the sessions in order: the first that has it wins. */
async function resolve(ctx: PullContext, ref: Reference, signal?: AbortSignal): Promise<{ session: RegistrySession; top: FetchedManifest }> {
  let first: unknown;
  for (const s of ctx.sessions) {
    try {
      const top = await fetchManifest(s, ref.path, ref.digest ?? ref.tag ?? 'latest', { signal, ref });
      return { session: s, top };
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      first ??= e;
      if (!s.endpoint.mirror) throw e;
    }
  }
  throw first;
}

/**
 * Pull one reference (tag or digest): resolve its manifest (an index picks the platform),
 * fetch the config and the missing layers (max-concurrent-downloads at once, each unpacked as
 * it downloads and verified before anything of it is committed; placed bottom first), then
 * create the image with its tag and
 * repository digest. Progress goes to `ch`, in Docker's words.
 */
export async function pullReference(ctx: PullContext, ref: Reference, opts: PullOptions, ch: Channel<TransferEvent>): Promise<void> {
  const { signal } = opts;
  const platform: Platform = parsePlatform(opts.platform);
  const { session, top } = await resolve(ctx, ref, signal);
  ch.push({ status: `Pulling from ${ref.path}`, id: ref.digest ?? ref.tag ?? 'latest' });
  const blobs: Digest[] = [top.digest];
  let m = top;
  if (m.kind === 'index') {
    const pick = selectPlatform(m.index, platform);
    m = await fetchManifest(session, ref.path, pick.digest, { signal, ref });
    if (m.kind !== 'manifest') throw new InvalidArgumentError(`index ${top.digest} names another index for ${platform.os}/${platform.architecture}`);
    blobs.push(m.digest);
  }
  const manifest = m.manifest;
  const { images } = ctx;
  // the config: small, fetched whole and verified
  const cfgDesc = manifest.config;
  if (!isDigest(cfgDesc.digest)) throw new InvalidArgumentError(`invalid config digest ${cfgDesc.digest}`);
  await fetchBlob(session, images.content, { repo: ref.path, digest: cfgDesc.digest, size: cfgDesc.size, attempts: ctx.attempts, signal });
  const configBytes = await images.content.readBytes(cfgDesc.digest);
  let config: ImageConfig;
  try {
    config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
  } catch (e) {
    throw new InvalidArgumentError(`invalid image config ${cfgDesc.digest}: ${(e as Error).message}`);
  }
  const mismatch = opts.platform ? platformMismatch(familiarString(ref), platform, config) : undefined;
  if (mismatch) throw mismatch;
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (!Array.isArray(diffIds) || diffIds.length !== manifest.layers.length || !diffIds.every((d) => typeof d === 'string' && isDigest(d))) {
    throw new InvalidArgumentError(`invalid manifest ${m.digest}: ${manifest.layers.length} layers for ${Array.isArray(diffIds) ? diffIds.length : 0} diff IDs in the config`);
  }
  const chains = chainIds(diffIds as Digest[]);
  const pinned: string[] = [];
  // an image already here is only (re)tagged: no layer lines, as dockerd
  let known = false;
  try {
    known = images.get(cfgDesc.digest).id === cfgDesc.digest;
  } catch { /* a new image */ }
  try {
    // layers already here are pinned now, so no rmi takes them while the rest arrives
    const missing: number[] = [];
    manifest.layers.forEach((l, i) => {
      if (!isDigest(l.digest)) throw new InvalidArgumentError(`invalid layer digest ${l.digest}`);
      if (images.pinLayer(chains[i]!)) {
        pinned.push(chains[i]!);
        if (!known) ch.push({ status: 'Already exists', id: shortId(l.digest), layer: true });
      } else {
        missing.push(i);
        ch.push({ status: 'Pulling fs layer', id: shortId(l.digest), layer: true });
      }
    });
    // each missing layer unpacks while it downloads (max-concurrent-downloads at once), into a
    // place of its own; layers are then put on their parents bottom first as they are ready
    const stop = new AbortController();
    const layerSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    const unpacking = new Map<number, Promise<UnpackedLayer>>();
    let failure: { e: unknown } | undefined;
    for (const i of missing) {
      const l = manifest.layers[i]!;
      const p = ctx.downloads.run(
        () => streamLayer({ ctx, session, ch, repo: ref.path, layer: l as { digest: Digest; size: number }, diffId: diffIds[i] as Digest, signal: layerSignal }),
        () => ch.push({ status: 'Waiting', id: shortId(l.digest), layer: true }),
      );
      // one failed layer stops the others (their bytes stay for a resume); its error is the pull's
      p.catch((e: unknown) => {
        failure ??= { e };
        stop.abort();
      });
      unpacking.set(i, p);
    }
    const placed = new Set<number>();
    try {
      for (const i of missing) {
        const u = await unpacking.get(i)!;
        signal?.throwIfAborted();
        placed.add(i);
        const reg = await images.placeLayer(u, i > 0 ? chains[i - 1]! : '');
        pinned.push(reg.layer.chainId);
        ch.push({ status: 'Pull complete', id: shortId(manifest.layers[i]!.digest), layer: true });
      }
    } catch (e) {
      stop.abort();
      for (const [i, p] of unpacking) {
        const r = await p.then((u) => u, () => undefined);
        if (r && !placed.has(i)) await images.discardLayer(r);
      }
      throw signal?.aborted || !failure ? e : failure.e;
    }
    for (const b of blobs) {
      const bytes = b === top.digest ? top.bytes : m.bytes;
      if (!(await images.content.has(b))) await images.content.put(bytes, { expected: b });
    }
    let before: string | undefined;
    const tagRef = ref.tag !== undefined && ref.digest === undefined ? familiarString(ref) : undefined;
    try {
      before = images.get(familiarString(ref)).id;
    } catch { /* not here yet */ }
    const img = await images.createImageFromConfig(configBytes, {
      repoTags: tagRef ? [tagRef] : [], repoDigests: [`${referenceName(ref)}@${top.digest}`], blobs,
    });
    pinned.length = 0; // createImageFromConfig released them
    ch.push({ status: `Digest: ${top.digest}` });
    ch.push({ status: before === img.id ? `Status: Image is up to date for ${familiarString(ref)}` : `Status: Downloaded newer image for ${familiarString(ref)}` });
    const labels = img.config.config?.Labels ?? {};
    ctx.events?.publish({ type: 'image', action: 'pull', actor: { id: familiarString(ref), attributes: { ...labels, name: familiarName(ref) } } });
  } finally {
    if (pinned.length) images.unpinLayers(pinned);
  }
}

/** `pull --all-tags`: every tag the repository lists. */
export async function listTags(s: RegistrySession, repo: string, signal?: AbortSignal): Promise<string[]> {
  const tags: string[] = [];
  let next: string | undefined = `/v2/${repo}/tags/list?n=1000`;
  for (let page = 0; next && page < 100; page++) {
    const res = await s.request(next, { scopes: [`repository:${repo}:pull`], signal });
    if (res.status === 404) {
      res.body.resume();
      throw new NotFoundError(`repository ${repo} not found: name unknown`);
    }
    const body = await readBody(res, 16 << 20);
    let doc: { tags?: unknown };
    try {
      doc = JSON.parse(body.toString('utf8')) as typeof doc;
    } catch {
      throw new UnavailableError(`tags list of ${repo} is not JSON`);
    }
    if (res.status !== 200) throw new UnavailableError(`listing the tags of ${repo}: status ${res.status}`);
    // a tag goes into a URL and a local reference: only the grammar's tags
    if (Array.isArray(doc.tags)) tags.push(...doc.tags.filter((t): t is string => typeof t === 'string' && isValidTag(t)));
    const link = /<([^>]+)>;\s*rel="next"/.exec(String(res.headers.link ?? ''));
    next = link?.[1];
  }
  return tags;
}

/**
 * Download one layer and unpack it as its bytes go by: verified (blob digest and diffID) before
 * anything is committed; a layer whose blob is stored already is unpacked from the store.
 */
async function streamLayer(o: { ctx: PullContext; session: RegistrySession; ch: Channel<TransferEvent>; repo: string; layer: { digest: Digest; size: number }; diffId: Digest; signal: AbortSignal }): Promise<UnpackedLayer> {
  const { ctx, ch, layer: l, signal } = o;
  const { images } = ctx;
  const id = shortId(l.digest);
  signal.throwIfAborted(); // another layer failed while this one waited for its turn
  if (await images.content.has(l.digest)) {
    return images.unpackLayer(images.content.read(l.digest), { blob: { stored: l.digest }, expectedDiffId: o.diffId, signal });
  }
  let last = -1;
  const step = Math.max(l.size / 50, 1 << 16);
  const fetch: BlobFetchOptions = {
    repo: o.repo, digest: l.digest, size: l.size, attempts: ctx.attempts, signal,
    onProgress: (n) => {
      if (n - last >= step || n === l.size) {
        last = n;
        ch.push({ status: 'Downloading', id, current: n, total: l.size });
      }
    },
    onRetry: (_attempt, delayMs) => {
      const s = Math.max(1, Math.ceil(delayMs / 1000));
      ch.push({ status: `Retrying in ${s} second${s > 1 ? 's' : ''}`, id, layer: true });
    },
  };
  return streamBlob((fresh) => openBlobStream(o.session, images.content, fetch, { fresh }), async (b) => {
    let committed = false;
    const u = await images.unpackLayer(b.bytes, {
      expectedDiffId: o.diffId, signal, blobDigest: l.digest, // b.bytes ends with the digest's check
      blob: {
        commit: async () => {
          ch.push({ status: 'Verifying Checksum', id, layer: true });
          const r = await b.commit();
          committed = true;
          ch.push({ status: 'Download complete', id, layer: true });
          return r;
        },
        abort: async () => { /* streamBlob aborts, knowing why */ },
      },
    });
    if (!committed) throw new InvalidArgumentError(`layer ${l.digest} was unpacked without its blob`);
    return u;
  }).catch((e: unknown) => {
    // dockerd's words for a layer whose bytes are not what its digest says
    if (e instanceof DigestMismatchError) throw new InvalidArgumentError(`filesystem layer verification failed for digest ${l.digest}`, { cause: e });
    throw e;
  });
}
