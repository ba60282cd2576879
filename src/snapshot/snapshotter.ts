import type { Readable } from 'node:stream';
import type { LayerChange, LayerUsage } from './layer-changes.js';

export type { LayerChange, LayerUsage };

/** A container's writable layer over its image's read-only layers. */
export interface ContainerLayer {
  upper: string;
  work: string;
  /** Read-only layers, top-most first. */
  lowerDirs: string[];
}

export interface MountRequest {
  lowerDirs: readonly string[];
  upper: string;
  work: string;
  target: string;
}

/**
 * Gives containers a root filesystem and owns their writable layer. Implementations must
 * pass the conformance suite in conformance.ts.
 */
export interface Snapshotter {
  /** Create the container's writable dirs (idempotent), hold the image's layers for it and report them. */
  prepareContainer(opts: { id: string; imageId: string }): Promise<ContainerLayer>;
  /**
   * Mount the container's rootfs at its own mount point (preparing it first when needed) and
   * resolve with that path; one already mounted stays as it is.
   */
  mountContainer(opts: { id: string; imageId: string }): Promise<string>;
  /** Unmount the container's rootfs; not mounted is not an error. */
  unmountContainer(id: string, opts?: { lazy?: boolean }): Promise<void>;
  /** Mount a layer stack at any target. */
  mountRootfs(req: MountRequest): Promise<void>;
  /** Unmount; a target that is not mounted is not an error. */
  unmount(target: string, opts?: { lazy?: boolean }): Promise<void>;
  /** What the writable layer holds (SizeRw); an empty layer for a container never prepared. */
  usage(id: string, opts?: { signal?: AbortSignal }): Promise<LayerUsage>;
  /** The writable layer's changes over the image, as `docker diff` lists them. */
  changes(opts: { id: string; imageId: string; signal?: AbortSignal }): Promise<LayerChange[]>;
  /** The writable layer as a layer tar with OCI whiteouts (for commit and the builder). */
  diff(id: string, opts?: { signal?: AbortSignal }): Readable;
  /** Unmount the container's rootfs and remove its writable dirs (idempotent); its layers are released. */
  removeContainer(id: string): Promise<void>;
  /**
   * Unmount whatever is mounted in the directories of containers not in `keep` (the ones that
   * run): what a crash between a mount and the container's start, or during a removal, left.
   */
  reclaimMounts(opts: { keep: ReadonlySet<string>; onUnmount?: (path: string) => void }): Promise<void>;
}

/** What a snapshotter needs from the image store (ImageService provides it). */
export interface LayerSource {
  /** Hold an image's layers for `holder` across restarts and report them. */
  retainRootfs(holder: string, imageId: string): Promise<{ chainIds: string[]; lowerDirs: string[] }>;
  releaseRootfs(holder: string): Promise<unknown>;
}
