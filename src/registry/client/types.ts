import type { Digest, EngineEvent } from '../../base/index.js';
import type { BlobCommit, ContentStore, ImageRecord, LayerInfo, RegisteredLayer, UnpackedLayer } from '../../image/index.js';

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
  unpackLayer(src: AsyncIterable<Buffer>, opts: { blob: BlobCommit | { stored: Digest }; blobDigest?: Digest; expectedDiffId?: Digest; signal?: AbortSignal }): Promise<UnpackedLayer>;
  placeLayer(u: UnpackedLayer, parent: Digest | ''): Promise<RegisteredLayer>;
  discardLayer(u: UnpackedLayer): Promise<void>;
  createImageFromConfig(configBytes: Uint8Array, opts?: { repoTags?: string[]; repoDigests?: string[]; blobs?: Digest[] }): Promise<ImageRecord>;
  inspect(ref: string): ImageRecord & { chainIds: Digest[] };
  get(ref: string): ImageRecord;
  recordPushed(imageId: string, opts: { repoDigest: string; manifest: Uint8Array }): Promise<void>;
}

export interface EventSink {
  publish(e: EngineEvent): void;
}
