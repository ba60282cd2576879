// Engine API wire types shared by several objects. PascalCase and shapes follow moby's swagger.

/** An OCI content descriptor (lower-case keys, as in the OCI image spec) */
export interface OCIDescriptor {
  mediaType?: string;
  /** The digest of the targeted content */
  digest?: string;
  /** The size in bytes of the blob */
  size?: number;
  /** List of URLs from which this object MAY be downloaded */
  urls?: string[] | null;
  /** Arbitrary metadata relating to the targeted content */
  annotations?: Record<string, string> | null;
  /** Data is an embedding of the targeted content. This is encoded as a base64 */
  data?: string | null;
  platform?: OCIPlatform;
  /** ArtifactType is the IANA media type of this artifact */
  artifactType?: string | null;
}

/** The body of every non-2xx response: `{"message": "..."}` */
export interface ErrorResponse {
  /** The error message */
  message: string;
}

/** The platform an image runs on, as in the OCI image index */
export interface OCIPlatform {
  /** The CPU architecture, for example `amd64` or `ppc64` */
  architecture?: string;
  /** The operating system, for example `linux` or `windows` */
  os?: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}


/** Response of calls that return only an id (exec create, commit) */
export interface IdResponse {
  Id: string;
}

/** Progress of one step of a long operation: `current` of `total` bytes */
export interface ProgressDetail {
  current?: number;
  total?: number;
}

export interface ErrorDetail {
  code?: number;
  message?: string;
}

/**
 * One line of the JSON message stream of pull, push, load, import and build. A line with
 * `error`/`errorDetail` ends the stream with a failure.
 */
export interface JSONMessage {
  /** Layer or step id the line is about ("a3ed95caeb02") */
  id?: string;
  status?: string;
  progressDetail?: ProgressDetail;
  /** Pre-rendered progress bar; kept for old clients */
  progress?: string;
  /** Build output text */
  stream?: string;
  error?: string;
  errorDetail?: ErrorDetail;
  /** Structured side data, e.g. `{"ID": "sha256:..."}` after a build */
  aux?: unknown;
  /** Unix seconds */
  time?: number;
  timeNano?: number;
  from?: string;
}
