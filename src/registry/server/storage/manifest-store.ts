import { readFile, readdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errnoCode, isDigest, sha256, type Digest } from '../../../base/index.js';
import { DistributionError } from '../errors.js';
import { checkManifest, type ManifestFacts } from '../manifest-check.js';
import type { BlobStore } from './blob-store.js';
import type { StorageLayout } from './layout.js';
import { readLink, writeLink } from './links.js';

export interface StoredManifest { digest: Digest; mediaType: string; body: Buffer }

/** Manifests by digest (revisions) and tag, per repository, their bytes kept as blobs. */
export class ManifestStore {
  constructor(private readonly layout: StorageLayout, private readonly blobs: BlobStore) {}

  /** Resolve a tag or digest to the manifest's digest; MANIFEST_UNKNOWN when the repository has none. */
  async resolve(name: string, reference: string): Promise<Digest> {
    if (isDigest(reference)) {
      if ((await readLink(this.layout.revisionLink(name, reference))) === reference && (await this.blobs.size(reference)) !== undefined) return reference;
      throw new DistributionError('MANIFEST_UNKNOWN', { Name: name, Revision: reference });
    }
    const d = await readLink(this.layout.tagCurrentLink(name, reference));
    if (d === undefined || (await this.blobs.size(d)) === undefined) throw new DistributionError('MANIFEST_UNKNOWN', { Tag: reference, Name: name });
    return d;
  }

  async get(name: string, reference: string): Promise<StoredManifest> {
    const digest = await this.resolve(name, reference);
    const body = await readFile(this.layout.blobData(digest));
    return { digest, mediaType: mediaTypeOf(body), body };
  }

  /**
   * Check and store a manifest under its digest and, when `reference` is a tag, the tag. Every
   * blob and child manifest it names must already be in this repository.
   */
  async put(name: string, reference: string, body: Buffer, contentType: string | undefined): Promise<{ digest: Digest; facts: ManifestFacts }> {
    const digest = sha256(body);
    if (isDigest(reference) && reference !== digest) {
      throw new DistributionError('DIGEST_INVALID', { expected: reference, actual: digest }, {}, `manifest digest ${digest} does not match the reference ${reference}`);
    }
    const facts = checkManifest(body, contentType);
    for (const blob of facts.blobs) {
      if ((await this.blobs.sizeIn(name, blob.digest)) === undefined) throw new DistributionError('MANIFEST_BLOB_UNKNOWN', blob.digest, {}, `blob unknown to registry: ${blob.digest}`);
    }
    for (const child of facts.manifests) {
      if ((await readLink(this.layout.revisionLink(name, child))) !== child) throw new DistributionError('MANIFEST_BLOB_UNKNOWN', child, {}, `manifest unknown to registry: ${child}`);
    }
    await this.blobs.put(digest, body);
    await writeLink(this.layout.revisionLink(name, digest), digest);
    if (facts.subject) await writeLink(this.layout.referrerLink(name, facts.subject, digest), digest);
    if (!isDigest(reference)) {
      await writeLink(this.layout.tagIndexLink(name, reference, digest), digest);
      await writeLink(this.layout.tagCurrentLink(name, reference), digest);
    }
    return { digest, facts };
  }

  /** Delete a manifest by digest (and every tag naming it), or a tag alone. */
  async delete(name: string, reference: string): Promise<void> {
    if (!isDigest(reference)) {
      if ((await readLink(this.layout.tagCurrentLink(name, reference))) === undefined) throw new DistributionError('MANIFEST_UNKNOWN', { Tag: reference, Name: name });
      await rm(this.layout.tagDir(name, reference), { recursive: true, force: true });
      return;
    }
    if ((await readLink(this.layout.revisionLink(name, reference))) !== reference) throw new DistributionError('MANIFEST_UNKNOWN', { Name: name, Revision: reference });
    for (const tag of await this.tags(name)) {
      if ((await readLink(this.layout.tagCurrentLink(name, tag))) === reference) await rm(this.layout.tagDir(name, tag), { recursive: true, force: true });
    }
    const body = await readFile(this.layout.blobData(reference)).catch(() => undefined);
    const subject = body ? subjectOf(body) : undefined;
    if (subject) await rm(dirname(this.layout.referrerLink(name, subject, reference)), { recursive: true, force: true });
    await rm(dirname(this.layout.revisionLink(name, reference)), { recursive: true, force: true });
  }

  /** Tags of a repository, sorted; NAME_UNKNOWN when it does not exist. */
  async tags(name: string): Promise<string[]> {
    const entries = await listDir(this.layout.tagsDir(name));
    if (entries === undefined) {
      if ((await listDir(this.layout.repoDir(name))) === undefined) throw new DistributionError('NAME_UNKNOWN', { name });
      return [];
    }
    const tags: string[] = [];
    for (const t of entries) if ((await readLink(this.layout.tagCurrentLink(name, t))) !== undefined) tags.push(t);
    return tags.sort();
  }

  /** Digests of every manifest revision of a repository. */
  async revisions(name: string): Promise<Digest[]> {
    return ((await listDir(this.layout.revisionsDir(name))) ?? []).map((h) => `sha256:${h}`).filter(isDigest);
  }

  /** Manifests whose subject is `subject`. */
  async referrers(name: string, subject: Digest): Promise<StoredManifest[]> {
    const out: StoredManifest[] = [];
    for (const hex of (await listDir(this.layout.referrersDir(name, subject))) ?? []) {
      const d = `sha256:${hex}`;
      if (!isDigest(d) || (await readLink(this.layout.revisionLink(name, d))) !== d) continue;
      const body = await readFile(this.layout.blobData(d)).catch(() => undefined);
      if (body) out.push({ digest: d, mediaType: mediaTypeOf(body), body });
    }
    return out;
  }

  /** Every repository name under the root, sorted as the catalog lists them. */
  async repositories(): Promise<string[]> {
    const found: string[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      const entries = (await listDir(dir)) ?? [];
      if (entries.some((e) => e === '_manifests' || e === '_layers' || e === '_uploads')) {
        if (entries.includes('_manifests')) found.push(prefix);
      }
      for (const e of entries) if (!e.startsWith('_')) await walk(`${dir}/${e}`, prefix ? `${prefix}/${e}` : e);
    };
    await walk(this.layout.repositoriesDir(), '');
    return found.sort(compareRepositoryNames);
  }
}

/** The media type of stored manifest bytes: their mediaType field, else what their shape says (OCI). */
export function mediaTypeOf(body: Buffer): string {
  try {
    const m = JSON.parse(body.toString('utf8')) as { mediaType?: unknown; manifests?: unknown };
    if (typeof m.mediaType === 'string' && m.mediaType !== '') return m.mediaType;
    return Array.isArray(m.manifests) ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json';
  } catch {
    return 'application/vnd.oci.image.manifest.v1+json';
  }
}

function subjectOf(body: Buffer): Digest | undefined {
  try {
    const d = (JSON.parse(body.toString('utf8')) as { subject?: { digest?: unknown } }).subject?.digest;
    return typeof d === 'string' && isDigest(d) ? d : undefined;
  } catch {
    return undefined;
  }
}

/** Path components compared one by one, as the reference registry orders its catalog. */
export function compareRepositoryNames(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i]! < y[i]!) return -1;
    if (x[i]! > y[i]!) return 1;
  }
  return x.length - y.length;
}

async function listDir(dir: string): Promise<string[] | undefined> {
  try {
    return await readdir(dir);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
    throw e;
  }
}
