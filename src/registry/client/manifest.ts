import { InvalidArgumentError, isDigest, NotFoundError, sha256, UnavailableError, type Digest } from '../../base/index.js';
import {
  MEDIA_TYPE_DOCKER_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST_LIST, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST,
  familiarName, familiarString, type Descriptor, type Index, type Manifest, type Platform, type Reference,
} from '../../oci/index.js';
import { errorForStatus, registryErrorText } from './registry-error.js';
import type { RegistrySession } from './session.js';
import { readBody } from './transport.js';

export const MANIFEST_ACCEPT = [MEDIA_TYPE_DOCKER_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST_LIST, MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_OCI_INDEX].join(', ');
const SCHEMA1 = /^application\/vnd\.docker\.distribution\.manifest\.v1(\+prettyjws|\+json)?$/;
const MANIFEST_LIMIT = 4 << 20;

export type FetchedManifest =
  | { kind: 'manifest'; digest: Digest; mediaType: string; bytes: Buffer; manifest: Manifest }
  | { kind: 'index'; digest: Digest; mediaType: string; bytes: Buffer; index: Index };

/** Parse and check manifest bytes: an image manifest or an index, Docker or OCI. */
export function parseManifest(bytes: Buffer, digest: Digest, contentType = ''): FetchedManifest {
  let doc: { mediaType?: unknown; schemaVersion?: unknown; manifests?: unknown; layers?: unknown; config?: unknown };
  try {
    doc = JSON.parse(bytes.toString('utf8')) as typeof doc;
  } catch (e) {
    throw new InvalidArgumentError(`invalid manifest ${digest}: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null) throw new InvalidArgumentError(`invalid manifest ${digest}: not a JSON object`);
  const mediaType = typeof doc.mediaType === 'string' && doc.mediaType ? doc.mediaType : contentType.split(';')[0]!.trim();
  if (SCHEMA1.test(mediaType) || doc.schemaVersion === 1) {
    throw new InvalidArgumentError('[DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed. Suggest the author of the image to upgrade the image to the OCI Format or Docker Image manifest v2, schema 2.');
  }
  const goodDesc = (d: unknown): d is Descriptor => typeof d === 'object' && d !== null && typeof (d as Descriptor).digest === 'string' && isDigest((d as Descriptor).digest)
    && typeof (d as Descriptor).size === 'number' && (d as Descriptor).size >= 0;
  if (mediaType === MEDIA_TYPE_DOCKER_MANIFEST_LIST || mediaType === MEDIA_TYPE_OCI_INDEX || (!doc.config && Array.isArray(doc.manifests))) {
    if (!Array.isArray(doc.manifests) || !doc.manifests.every(goodDesc)) throw new InvalidArgumentError(`invalid index ${digest}: malformed manifests`);
    return { kind: 'index', digest, mediaType: mediaType || MEDIA_TYPE_OCI_INDEX, bytes, index: doc as unknown as Index };
  }
  if (!goodDesc(doc.config) || !Array.isArray(doc.layers) || !doc.layers.every(goodDesc)) throw new InvalidArgumentError(`invalid manifest ${digest}: malformed config or layers`);
  return { kind: 'manifest', digest, mediaType: mediaType || MEDIA_TYPE_OCI_MANIFEST, bytes, manifest: doc as unknown as Manifest };
}

/**
 * GET a manifest by tag or digest. By digest, the bytes must hash to it; by tag, to the
 * registry's Docker-Content-Digest when it sends one.
 */
export async function fetchManifest(s: RegistrySession, repo: string, reference: string, opts: { signal?: AbortSignal; ref: Reference }): Promise<FetchedManifest> {
  const res = await s.request(`/v2/${repo}/manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT }, scopes: [`repository:${repo}:pull`], signal: opts.signal });
  if (res.status !== 200) {
    const { text, codes } = await registryErrorText(res);
    throw pullError(opts.ref, res.status, text, codes);
  }
  const bytes = await readBody(res, MANIFEST_LIMIT);
  const digest = sha256(bytes);
  if (isDigest(reference) && reference !== digest) throw new UnavailableError(`manifest verification failed for digest ${reference}`);
  const header = res.headers['docker-content-digest'];
  if (!isDigest(reference) && typeof header === 'string' && isDigest(header) && header !== digest) {
    throw new UnavailableError(`manifest verification failed for digest ${header}`);
  }
  return parseManifest(bytes, digest, String(res.headers['content-type'] ?? ''));
}

/** dockerd's words for a manifest that cannot be had (distribution/errors.go's notFoundError). */
export function pullError(ref: Reference, status: number, text: string, codes: readonly string[]): Error {
  const what = familiarString(ref.digest || ref.tag ? ref : { ...ref, tag: 'latest' });
  if (codes.includes('MANIFEST_UNKNOWN') || (status === 404 && codes.length === 0)) {
    return new NotFoundError(`manifest for ${what} not found: ${codes.length ? text : 'manifest unknown: manifest unknown'}`);
  }
  if (codes.includes('NAME_UNKNOWN')) return new NotFoundError(`repository ${familiarName(ref)} not found: ${text}`);
  if (codes.includes('DENIED') || codes.includes('UNAUTHORIZED') || status === 401 || status === 403) {
    return new NotFoundError(`pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': ${text}`);
  }
  return errorForStatus(status, text);
}

/** The index entry for a platform: os and architecture must match, the variant when asked for. */
export function selectPlatform(index: Index, want: Platform): Descriptor {
  const fits = (index.manifests ?? []).filter((m) => m.platform?.os === want.os && m.platform?.architecture === want.architecture
    && (!want.variant || m.platform?.variant === want.variant));
  // Docker prefers the entry without a variant (or v8 on arm64) when none was asked for
  const pick = fits.find((m) => !m.platform?.variant) ?? fits[0];
  if (!pick) throw new NotFoundError(`no matching manifest for ${want.os}/${want.architecture}${want.variant ? `/${want.variant}` : ''} in the manifest list entries`);
  return pick;
}
