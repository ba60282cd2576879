import { isDigest, type Digest } from '../../base/index.js';
import {
  MEDIA_TYPE_DOCKER_FOREIGN_LAYER, MEDIA_TYPE_DOCKER_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST_LIST, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST,
} from '../../oci/index.js';
import { DistributionError } from './errors.js';

export const MANIFEST_MEDIA_TYPES = [MEDIA_TYPE_DOCKER_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST_LIST, MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_OCI_INDEX] as const;
const INDEX_TYPES = new Set<string>([MEDIA_TYPE_DOCKER_MANIFEST_LIST, MEDIA_TYPE_OCI_INDEX]);
const SCHEMA1_TYPES = new Set(['application/vnd.docker.distribution.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v1+prettyjws']);
/** Per the largest manifest the reference registry accepts. */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;

export interface ManifestFacts {
  mediaType: string;
  /** Blobs the repository must hold (config and distributable layers) */
  blobs: Array<{ digest: Digest; mediaType: string }>;
  /** Child manifests (of an index) the repository must hold */
  manifests: Digest[];
  subject?: Digest;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/**
 * Check a manifest put to the registry: JSON of schema 2, a media type the registry serves,
 * consistent with the request's Content-Type, and descriptors with valid digests and sizes.
 */
export function checkManifest(body: Buffer, contentType: string | undefined): ManifestFacts {
  let m: Record<string, unknown>;
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    m = v as Record<string, unknown>;
  } catch (e) {
    throw invalid(`manifest is not a JSON object: ${(e as Error).message}`);
  }
  const declared = typeof m['mediaType'] === 'string' ? m['mediaType'] : undefined;
  const header = contentType?.split(';')[0]?.trim().toLowerCase();
  if (m['schemaVersion'] === 1 || SCHEMA1_TYPES.has(declared ?? '') || SCHEMA1_TYPES.has(header ?? '')) {
    throw invalid('schema 1 manifests are not accepted: push with schema 2 or OCI');
  }
  if (m['schemaVersion'] !== 2) throw invalid('schemaVersion must be 2');
  if (declared !== undefined && !(MANIFEST_MEDIA_TYPES as readonly string[]).includes(declared)) throw invalid(`unsupported manifest media type "${declared}"`);
  const headerIsManifest = header !== undefined && (MANIFEST_MEDIA_TYPES as readonly string[]).includes(header);
  if (declared !== undefined && headerIsManifest && header !== declared) {
    throw invalid(`mediaType in manifest "${declared}" does not match the Content-Type "${header}"`);
  }
  const mediaType = declared ?? (headerIsManifest ? header! : Array.isArray(m['manifests']) ? MEDIA_TYPE_OCI_INDEX : MEDIA_TYPE_OCI_MANIFEST);
  const facts: ManifestFacts = { mediaType, blobs: [], manifests: [] };
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(m['manifests'])) throw invalid('an index needs a "manifests" list');
    for (const [i, d] of (m['manifests'] as unknown[]).entries()) facts.manifests.push(descriptor(d, `manifests[${i}]`).digest);
  } else {
    if (m['config'] === undefined) throw invalid('an image manifest needs a "config" descriptor');
    const config = descriptor(m['config'], 'config');
    facts.blobs.push(config);
    if (!Array.isArray(m['layers'])) throw invalid('an image manifest needs a "layers" list');
    for (const [i, l] of (m['layers'] as unknown[]).entries()) {
      const layer = descriptor(l, `layers[${i}]`);
      if (!isForeign(l as Record<string, unknown>)) facts.blobs.push(layer);
    }
  }
  if (m['subject'] !== undefined) facts.subject = descriptor(m['subject'], 'subject').digest;
  const artifactType = typeof m['artifactType'] === 'string' ? m['artifactType'] : facts.blobs[0]?.mediaType;
  if (artifactType !== undefined && !INDEX_TYPES.has(mediaType)) facts.artifactType = artifactType;
  else if (typeof m['artifactType'] === 'string') facts.artifactType = m['artifactType'];
  if (isStringMap(m['annotations'])) facts.annotations = m['annotations'];
  return facts;
}

function descriptor(v: unknown, where: string): { digest: Digest; mediaType: string } {
  if (typeof v !== 'object' || v === null) throw invalid(`${where} is not a descriptor`);
  const d = v as Record<string, unknown>;
  if (typeof d['digest'] !== 'string' || !isDigest(d['digest'])) throw invalid(`${where} has an invalid digest ${JSON.stringify(d['digest'])}: expected sha256:<64 hex digits>`);
  if (typeof d['size'] !== 'number' || !Number.isSafeInteger(d['size']) || d['size'] < 0) throw invalid(`${where} has an invalid size`);
  if (d['mediaType'] !== undefined && typeof d['mediaType'] !== 'string') throw invalid(`${where} has an invalid mediaType`);
  return { digest: d['digest'], mediaType: (d['mediaType'] as string | undefined) ?? '' };
}

/** Layers fetched from elsewhere (Windows base layers): not required in the registry. */
function isForeign(d: Record<string, unknown>): boolean {
  const mt = typeof d['mediaType'] === 'string' ? d['mediaType'] : '';
  return mt === MEDIA_TYPE_DOCKER_FOREIGN_LAYER || mt.includes('.nondistributable.') || (Array.isArray(d['urls']) && d['urls'].length > 0);
}

function isStringMap(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

function invalid(detail: string): DistributionError {
  return new DistributionError('MANIFEST_INVALID', detail, {}, `manifest invalid: ${detail}`);
}
