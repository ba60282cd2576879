import type { Digest } from '../../base/index.js';
import type { ImageConfig } from '../../oci/index.js';

/** An image as the rest of berth sees it (domain model; api/routes converts to wire shapes). */
export interface ImageRecord {
  id: Digest;
  /** Familiar name:tag strings, sorted. */
  repoTags: string[];
  /** Familiar name@digest strings, sorted. */
  repoDigests: string[];
  config: ImageConfig;
  /** RFC 3339 creation time from the config ('' when absent). */
  created: string;
  /** Sum of the image's layer sizes, as Docker reports it. */
  size: number;
  /** Parent image ID for locally built or committed images, else ''. */
  parent: string;
  comment: string;
  /** Layer diffIDs, bottom first. */
  layers: Digest[];
}

/** `docker image inspect` extras. */
export interface ImageDetails extends ImageRecord {
  /** When a tag last changed, RFC 3339, or ''. */
  lastTagTime: string;
  chainIds: Digest[];
  /** Overlay lower dirs, top-most first. */
  lowerDirs: string[];
}

/** One row of `docker history`. */
export interface HistoryEntry {
  /** Image ID for rows that belong to a local image, '<missing>' otherwise. */
  id: string;
  /** Unix seconds. */
  created: number;
  createdBy: string;
  size: number;
  comment: string;
  tags: string[];
}

/** One line of `docker rmi` / prune output. */
export interface DeleteRecord {
  Untagged?: string;
  Deleted?: string;
}

/** Progress of `docker load`, rendered by the API layer as JSON messages. */
export type LoadEvent =
  | { type: 'progress'; id: string; status: 'Loading layer'; current: number; total: number }
  | { type: 'message'; text: string };

/**
 * What uses an image: a container ID, or `{ id, running }` to tell running containers
 * (a conflict force cannot override) from stopped ones.
 */
export type ImageUser = string | { id: string; running: boolean };
