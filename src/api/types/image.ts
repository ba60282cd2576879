// Engine API wire types of images (moby swagger; fields of API 1.50 that dockerd 28 still
// sends are kept as optional).
import type { OCIDescriptor, OCIPlatform } from './common.js';
import type { DriverData, HealthConfig } from './container.js';

/** One item of GET /images/json */
export interface ImageSummary {
  /** ID is the content-addressable ID of an image */
  Id: string;
  /** ID of the parent image */
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  Created: number;
  Size: number;
  SharedSize: number;
  /** User-defined key/value metadata */
  Labels: Record<string, string>;
  Containers: number;
  /** Manifests is a list of manifests available in this image */
  Manifests?: ImageManifestSummary[];
  /** Descriptor is an OCI descriptor of the image target */
  Descriptor?: OCIDescriptor | null;
  /** Deprecated (API < 1.44): same as Size */
  VirtualSize?: number;
}

/** Response of GET /images/{name}/json */
export interface ImageInspect {
  /** ID is the content-addressable ID of an image */
  Id?: string;
  /** Descriptor is an OCI descriptor of the image target */
  Descriptor?: OCIDescriptor | null;
  Manifests?: ImageManifestSummary[] | null;
  /** Identity holds information about the identity and origin of the image */
  Identity?: Identity | null;
  RepoTags?: string[];
  RepoDigests?: string[];
  /** Optional message that was set when committing or importing the image */
  Comment?: string | null;
  /** RFC 3339 with nanoseconds; empty for images without a creation time */
  Created?: string | null;
  Author?: string | null;
  // Deprecated fields dockerd 28 still sends; berth sends them empty for old clients.
  Parent?: string;
  Container?: string;
  /** API < 1.45: the config of the container an image was committed from (all keys, zero when none) */
  ContainerConfig?: Record<string, unknown>;
  DockerVersion?: string;
  VirtualSize?: number;
  Config?: ImageConfig;
  /** Hardware CPU architecture that the image runs on */
  Architecture?: string;
  /** CPU architecture variant (presently ARM-only) */
  Variant?: string | null;
  /** Operating System the image is built to run on */
  Os?: string;
  OsVersion?: string | null;
  Size?: number;
  GraphDriver?: DriverData | null;
  /** Information about the image's RootFS, including the layer IDs */
  RootFS?: {
    Type: string;
    Layers?: string[];
  };
  Metadata?: {
    LastTagTime?: string | null;
  };
}

/** One item of GET /images/{name}/history, newest layer first */
export interface HistoryResponseItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[];
  Size: number;
  Comment: string;
}

/** One item of DELETE /images/{name} and of the prune response */
export interface ImageDeleteResponseItem {
  /** The image ID of an image that was untagged */
  Untagged?: string;
  /** The image ID of an image that was deleted */
  Deleted?: string;
}

/** ImageManifestSummary represents a summary of an image manifest */
export interface ImageManifestSummary {
  ID: string;
  Descriptor: OCIDescriptor;
  /** Indicates whether all the child content (image config, layers) is fully available locally */
  Available: boolean;
  Size: {
    Total: number;
    Content: number;
  };
  /** The kind of the manifest */
  Kind: 'image' | 'attestation' | 'unknown';
  /** The image data for the image manifest */
  ImageData?: {
    Platform: OCIPlatform;
    /** Identity holds information about the identity and origin of this image */
    Identity?: Identity | null;
    /** The IDs of the containers that are using this image */
    Containers: string[];
    Size: {
      Unpacked: number;
    };
  } | null;
  /** The image data for the attestation manifest */
  AttestationData?: {
    For: string;
  } | null;
}

/** Identity holds information about the identity and origin of the image */
export interface Identity {
  /** Verified signatures; opaque to berth */
  Signature?: Array<Record<string, unknown>>;
  /** Where the image was pulled from */
  Pull?: Array<{ Repository?: string }>;
  /** Build references, if the image was built */
  Build?: Array<{ Ref?: string; CreatedAt?: string }>;
}

/** The runtime defaults of an image (`Config` of image inspect) */
export interface ImageConfig {
  /** The user that commands are run as inside the container */
  User?: string;
  ExposedPorts?: Record<string, Record<string, unknown>> | null;
  Env?: string[];
  /** Command to run specified as a string or an array of strings */
  Cmd?: string[];
  Healthcheck?: HealthConfig;
  /** Command is already escaped (Windows only) */
  ArgsEscaped?: boolean | null;
  Volumes?: Record<string, Record<string, unknown>>;
  WorkingDir?: string;
  /** The entry point for the container as a string or an array of strings */
  Entrypoint?: string[];
  /** `ONBUILD` metadata that were defined in the image's `Dockerfile` */
  OnBuild?: string[] | null;
  /** User-defined key/value metadata */
  Labels?: Record<string, string>;
  /** Signal to stop a container as a string or unsigned integer */
  StopSignal?: string | null;
  /** Shell for when `RUN`, `CMD`, and `ENTRYPOINT` uses a shell */
  Shell?: string[] | null;
  // Deprecated fields dockerd 28 still sends in image inspect.
  Hostname?: string;
  Domainname?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Image?: string;
}

/** Response of POST /images/prune */
export interface ImagePruneResponse {
  /** Images that were deleted */
  ImagesDeleted?: ImageDeleteResponseItem[] | null;
  /** Disk space reclaimed in bytes */
  SpaceReclaimed?: number;
}
