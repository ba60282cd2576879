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
 * Gives containers a root filesystem. Implementations must pass the conformance suite
 * in conformance.ts.
 */
export interface Snapshotter {
  /** Create the container's writable dirs (idempotent) and report the image's layers. */
  prepareContainer(opts: { id: string; imageId: string }): Promise<ContainerLayer>;
  mountRootfs(req: MountRequest): Promise<void>;
  /** Unmount; a target that is not mounted is not an error. */
  unmount(target: string, opts?: { lazy?: boolean }): Promise<void>;
  /** Remove the container's writable dirs (idempotent). */
  removeContainer(id: string): Promise<void>;
}

/** What a snapshotter needs from the image store (ImageService provides it). */
export interface LayerSource {
  /** Hold an image's layers for `holder` across restarts and report them. */
  retainRootfs(holder: string, imageId: string): Promise<{ chainIds: string[]; lowerDirs: string[] }>;
  releaseRootfs(holder: string): Promise<unknown>;
}
