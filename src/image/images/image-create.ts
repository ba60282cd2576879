import type { Readable } from 'node:stream';
import { InvalidArgumentError, type Digest } from '../../base/index.js';
import { parseNormalizedNamed, tagNameOnly, type ImageRuntimeConfig, type ImageConfig, type ImageHistory, type Platform, type Reference } from '../../oci/index.js';
import { applyChanges } from './changes.js';
import type { ImageEntry, ImageStore } from './image-store.js';
import type { RegisteredLayer } from './layer-store.js';

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', mips: 'mips', mipsel: 'mipsle', loong64: 'loong64' };

export function hostPlatform(): Platform {
  return { os: 'linux', architecture: ARCH[process.arch] ?? process.arch };
}

/** "linux/amd64[/variant]" → platform; empty means the host's. */
export function parsePlatform(s: string | undefined): Platform {
  if (!s) return hostPlatform();
  const parts = s.toLowerCase().split('/');
  if (parts.length < 1 || parts.length > 3 || parts.some((p) => p === '')) throw new InvalidArgumentError(`"${s}": unknown operating system or architecture: invalid argument`);
  const host = hostPlatform();
  const os = parts[0]!;
  if (os !== 'linux') throw new InvalidArgumentError(`operating system is not supported: ${os}`);
  const architecture = parts[1] ? (ARCH[parts[1]] ?? (parts[1] === 'x86_64' ? 'amd64' : parts[1] === 'aarch64' ? 'arm64' : parts[1])) : host.architecture;
  return { os, architecture, ...(parts[2] ? { variant: parts[2] } : {}) };
}

/**
 * dockerd's refusal of an image whose config is of another platform than the one asked for;
 * undefined when it fits.
 */
export function platformMismatch(ref: string, wanted: Platform, config: Pick<ImageConfig, 'os' | 'architecture'>): InvalidArgumentError | undefined {
  if (config.os === wanted.os && config.architecture === wanted.architecture) return undefined;
  return new InvalidArgumentError(`image with reference ${ref} was found but does not match the specified platform: wanted ${wanted.os}/${wanted.architecture}, actual: ${config.os}/${config.architecture}`);
}

/** Parse a target tag for import/commit/tag: a name, with the default tag added; digests refused. */
export function parseTagTarget(s: string): Reference {
  const ref = parseNormalizedNamed(s);
  if (ref.digest !== undefined) throw new InvalidArgumentError('refusing to create a tag with a digest reference');
  return tagNameOnly(ref);
}

/** The diffID of a tar with no entries (1024 zero bytes): Docker's DigestSHA256EmptyTar. */
export const EMPTY_TAR_DIFF_ID = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef' as Digest;

export interface NewImageOptions {
  /** Base image (ref or ID) the new one extends; its layers and history are kept. */
  parent?: string;
  /** Record `parent` as the new image's parent (Docker does for commit and build). */
  recordParent?: boolean;
  /** The new layer's tar (any compression), or none for a metadata-only image. */
  diff?: Readable | AsyncIterable<Buffer>;
  config?: ImageRuntimeConfig;
  changes?: string[];
  author?: string;
  comment?: string;
  createdBy?: string;
  /** RFC 3339; now when absent. */
  created?: string;
  platform?: Platform;
  repoTag?: string;
  /** A diff that holds nothing (the empty tar) adds no layer, only an empty_layer history entry (commit, build). */
  skipEmptyLayer?: boolean;
  /** Extra top-level config fields (e.g. container, container_config, docker_version). */
  extra?: Partial<ImageConfig>;
  signal?: AbortSignal;
}

/**
 * Create an image from an optional base, an optional new layer and a container config:
 * the common path of `docker import`, `docker commit` and the builder.
 */
export async function createImage(store: ImageStore, opts: NewImageOptions): Promise<ImageEntry> {
  const target = opts.repoTag ? parseTagTarget(opts.repoTag) : undefined;
  const base = opts.parent ? store.resolve(opts.parent) : undefined;
  const config = applyChanges(opts.config ?? {}, opts.changes ?? []);
  const platform = base ? { os: base.config.os, architecture: base.config.architecture, ...(base.config.variant ? { variant: base.config.variant } : {}) } : (opts.platform ?? hostPlatform());
  const baseChains = base?.chainIds ?? [];
  for (const c of baseChains) store.layers.pin(c);
  let reg: RegisteredLayer | undefined;
  try {
    if (opts.diff) {
      reg = await store.layers.register(opts.diff, { parent: baseChains[baseChains.length - 1] ?? '', signal: opts.signal });
      if (opts.skipEmptyLayer && reg.layer.diffId === EMPTY_TAR_DIFF_ID) {
        store.layers.unpin(reg.layer.chainId);
        if (reg.created) await store.discardLayer(reg.layer.chainId);
        reg = undefined;
      }
    }
    const created = opts.created ?? new Date().toISOString();
    const history: ImageHistory = { created };
    if (opts.createdBy) history.created_by = opts.createdBy;
    if (opts.author) history.author = opts.author;
    if (opts.comment) history.comment = opts.comment;
    if (!reg) history.empty_layer = true;
    const diffIds: Digest[] = [...(base?.config.rootfs.diff_ids ?? []), ...(reg ? [reg.layer.diffId] : [])];
    const doc: ImageConfig = {
      architecture: platform.architecture,
      ...(opts.author ? { author: opts.author } : {}),
      ...(opts.comment ? { comment: opts.comment } : {}),
      config,
      created,
      ...opts.extra,
      history: [...(base?.config.history ?? []), history],
      os: platform.os,
      rootfs: { type: 'layers', diff_ids: diffIds },
      ...(platform.variant ? { variant: platform.variant } : {}),
    };
    const bytes = Buffer.from(JSON.stringify(doc));
    return await store.lock.run(async () => {
      const { image } = await store.createImage(bytes, { parent: opts.recordParent && base ? base.id : undefined });
      if (target) {
        store.setTag(target, image);
        await store.saveRefs([image]);
      }
      return image;
    });
  } catch (e) {
    if (reg) {
      store.layers.unpin(reg.layer.chainId);
      if (reg.created) await store.discardLayer(reg.layer.chainId);
      reg = undefined;
    }
    throw e;
  } finally {
    for (const c of baseChains) store.layers.unpin(c);
    if (reg) store.layers.unpin(reg.layer.chainId);
  }
}

/**
 * The builder's `--cache-from` hit: a new image on `parent` made of one history entry of
 * `source` (and that entry's layer, which `source` already stores), with the step's config.
 */
export async function createImageFromHistory(store: ImageStore, opts: { parent?: string; source: string; index: number; config: ImageRuntimeConfig }): Promise<ImageEntry> {
  return store.lock.run(async () => {
    const base = opts.parent ? store.resolve(opts.parent) : undefined;
    const src = store.resolve(opts.source);
    const history = src.config.history ?? [];
    const step = history[opts.index];
    if (!step) throw new InvalidArgumentError(`image ${src.id} has no history entry ${opts.index}`);
    const layer = step.empty_layer ? undefined : src.config.rootfs.diff_ids[history.slice(0, opts.index).filter((h) => !h.empty_layer).length];
    if (!step.empty_layer && !layer) throw new InvalidArgumentError(`image ${src.id} has no layer for history entry ${opts.index}`);
    const doc: ImageConfig = {
      architecture: src.config.architecture,
      ...(src.config.author ? { author: src.config.author } : {}),
      config: opts.config,
      created: step.created ?? new Date().toISOString(),
      history: [...(base?.config.history ?? []), step],
      os: src.config.os,
      rootfs: { type: 'layers', diff_ids: [...(base?.config.rootfs.diff_ids ?? []), ...(layer ? [layer] : [])] },
      ...(src.config.variant ? { variant: src.config.variant } : {}),
    };
    return (await store.createImage(Buffer.from(JSON.stringify(doc)), { parent: base?.id })).image;
  });
}
