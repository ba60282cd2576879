import type { Readable } from 'node:stream';
import type { ImageConfig, ImageRuntimeConfig } from '../../oci/index.js';
import type { StepMount } from './run-mounts.js';

/** An image a stage starts from. */
export interface BaseImage {
  /** `sha256:...`; empty for `scratch`. */
  id: string;
  config: ImageConfig;
  /** The image this one was built on here (build and commit record it); empty when unknown. */
  parent?: string;
}

/** Host settings of the build's step containers (`--network`, `--add-host`, `--shm-size`). */
export interface StepHost {
  networkMode?: string;
  extraHosts?: string[];
  shmSize?: number;
  /** RUN --mount: binds and tmpfs of this step only. */
  mounts?: StepMount[];
}

/**
 * What the builder asks of the engine, sized to its calls (the daemon wires containers, images
 * and the cache to it). Containers made here are the build's own and removed by it.
 */
export interface BuildEngine {
  /** The image a ref names, pulled per `pull` (its progress lines told); NotFoundError otherwise. */
  image(ref: string, opts: { pull: 'always' | 'missing' | 'never'; platform?: string; signal?: AbortSignal; progress?: (line: string) => void }): Promise<BaseImage>;
  createContainer(opts: { imageId: string; config: ImageRuntimeConfig; host: StepHost }): Promise<string>;
  /** Starts the container and resolves with its exit code; output is handed over as it comes. */
  runContainer(id: string, opts: { output: (chunk: Buffer) => void; signal?: AbortSignal }): Promise<number>;
  /** What a path names in an image's filesystem (symlinks resolved in its root); `missing` for scratch. */
  pathKind(imageId: string, path: string): Promise<'dir' | 'file' | 'missing'>;
  /** Numeric ids for a `--chown` user and group, looked up in the image's passwd and group files. */
  resolveOwner(imageId: string, spec: string): Promise<{ uid: number; gid: number }>;
  /**
   * Makes `mkdir` (and its parents, root-owned 0755) where missing, then extracts a tar (names
   * relative to the root, as in a layer) at the container's root, never writing outside it.
   */
  copyInto(id: string, opts: { mkdir: string; tar: Readable; signal?: AbortSignal }): Promise<void>;
  /** A new image: the container's changes over `parent` (or none) with this config and history. */
  commit(opts: { containerId?: string; parent?: string; config: ImageRuntimeConfig; author?: string; createdBy: string; signal?: AbortSignal }): Promise<string>;
  /** A `--cache-from` hit: history entry `index` of `source` (and its layer) stacked on `parent`, with `config`. */
  imageFromHistory(opts: { parent?: string; source: string; index: number; config: ImageRuntimeConfig }): Promise<string>;
  removeContainer(id: string): Promise<void>;
  /**
   * Removes from a step container's filesystem the empty files and directories the runtime made
   * as mount points for `targets` where its image had nothing (BuildKit leaves no mount stub).
   */
  removeMountStubs(id: string, targets: readonly string[]): Promise<void>;
  tag(imageId: string, ref: string): Promise<void>;
  /** The directory behind a `RUN --mount=type=cache` id, made with this mode and owner the first time. */
  cacheDir(id: string, opts: { mode: number; uid: number; gid: number }): Promise<string>;
  /** A writable view of a host directory (an overlay over it): what a step writes there is thrown away on release. */
  scratchView(dir: string): Promise<{ path: string; release(): Promise<void> }>;
  /** An image's root filesystem, read-only, for COPY --from. */
  mountImage(imageId: string): Promise<{ path: string; release(): Promise<void> }>;
}

/** Step results kept across builds (and daemon restarts): a key names the image a step made. */
export interface BuildCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, imageId: string): Promise<void>;
}

/** One message of the classic build stream (`POST /build`). */
export type BuildMessage =
  | { stream: string }
  | { aux: { ID: string } }
  | { error: string; errorDetail: { message: string; code?: number } };
