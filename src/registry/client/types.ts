import type { Digest, EngineEvent } from '../../base/index.js';
import type { ContentStore, ImageRecord, LayerInfo, RegisterLayerOptions, RegisteredLayer } from '../../image/index.js';

/** One line of pull/push progress; api/routes renders it as Docker's JSON message. */
export interface TransferEvent {
  status: string;
  /** A layer's short digest, or the tag being pulled. */
  id?: string;
  /** Byte progress (Downloading, Pushing). */
  current?: number;
  total?: number;
  /** A layer line without byte counts (Docker sends `progressDetail: {}`). */
  layer?: boolean;
  /** Push's result record (`{Tag, Digest, Size}`). */
  aux?: { Tag: string; Digest: string; Size: number };
}

/** What the registry client needs from the image service. */
export interface RegistryImages {
  readonly content: ContentStore;
  layer(chainId: string): LayerInfo | undefined;
  pinLayer(chainId: string): boolean;
  unpinLayers(chainIds: readonly string[]): void;
  registerBlob(digest: Digest, opts?: RegisterLayerOptions): Promise<RegisteredLayer>;
  createImageFromConfig(configBytes: Uint8Array, opts?: { repoTags?: string[]; repoDigests?: string[]; blobs?: Digest[] }): Promise<ImageRecord>;
  inspect(ref: string): ImageRecord & { chainIds: Digest[] };
  get(ref: string): ImageRecord;
  recordPushed(imageId: string, opts: { repoDigest: string; manifest: Uint8Array }): Promise<void>;
}

export interface EventSink {
  publish(e: EngineEvent): void;
}
