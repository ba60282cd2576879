import { isDigest } from '../../base/index.js';
import { MEDIA_TYPE_DOCKER_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST_LIST } from '../../oci/index.js';
import { DistributionError } from './errors.js';
import { MANIFEST_MAX_BYTES, MANIFEST_MEDIA_TYPES } from './manifest-check.js';
import type { StoredManifest } from './storage/index.js';
import type { Reply, RegistryRequest } from './reply.js';
import type { RegistryStorage } from './registry-storage.js';

/** GET/HEAD/PUT/DELETE /v2/<name>/manifests/<tag or digest>. */
export async function manifestRoute(s: RegistryStorage, req: RegistryRequest, name: string, reference: string): Promise<Reply> {
  switch (req.method) {
    case 'GET': case 'HEAD': {
      const m = await servedManifest(s, name, reference, req.headers.accept);
      const headers = { 'Content-Type': m.mediaType, 'Content-Length': String(m.body.length), 'Docker-Content-Digest': m.digest, ETag: `"${m.digest}"` };
      if (req.headers['if-none-match'] === `"${m.digest}"`) return { status: 304, headers: { ETag: headers.ETag, 'Docker-Content-Digest': m.digest } };
      return { status: 200, headers, ...(req.method === 'GET' ? { body: m.body } : {}) };
    }
    case 'PUT': {
      s.checkWrite();
      const body = await readLimited(req, MANIFEST_MAX_BYTES);
      const ct = req.headers['content-type'];
      const { digest, facts } = await s.manifests.put(name, reference, body, ct);
      return {
        status: 201,
        headers: { Location: `/v2/${name}/manifests/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': '0', ...(facts.subject ? { 'OCI-Subject': facts.subject } : {}) },
      };
    }
    case 'DELETE':
      s.checkDelete();
      await s.manifests.delete(name, reference);
      req.body.resume();
      return { status: 202, headers: { 'Content-Length': '0', ...(isDigest(reference) ? { 'Docker-Content-Digest': reference } : {}) } };
    default:
      throw new DistributionError('UNSUPPORTED');
  }
}

async function readLimited(req: RegistryRequest, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > max) {
    req.body.resume();
    throw new DistributionError('MANIFEST_INVALID', { limit: max }, {}, `manifest invalid: larger than ${max} bytes`);
  }
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req.body) {
    n += (c as Buffer).length;
    if (n > max) {
      req.body.resume();
      throw new DistributionError('MANIFEST_INVALID', { limit: max }, {}, `manifest invalid: larger than ${max} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The manifest a GET by tag answers with. As the reference registry does, a client whose Accept
 * names schema 2 manifests but not manifest lists gets the linux/amd64 manifest of a list instead
 * of the list; a GET by digest always gets what the digest names.
 */
async function servedManifest(s: RegistryStorage, name: string, reference: string, accept: string | undefined): Promise<StoredManifest> {
  const m = await s.manifests.get(name, reference);
  if (isDigest(reference) || m.mediaType !== MEDIA_TYPE_DOCKER_MANIFEST_LIST) return m;
  const accepted = new Set((accept ?? '').split(',').map((t) => t.split(';')[0]!.trim().toLowerCase()).filter((t) => (MANIFEST_MEDIA_TYPES as readonly string[]).includes(t)));
  if (accepted.size === 0 || accepted.has(MEDIA_TYPE_DOCKER_MANIFEST_LIST) || !accepted.has(MEDIA_TYPE_DOCKER_MANIFEST)) return m;
  const list = JSON.parse(m.body.toString('utf8')) as { manifests?: Array<{ digest?: string; platform?: { os?: string; architecture?: string } }> };
  const amd64 = list.manifests?.find((c) => c.platform?.os === 'linux' && c.platform.architecture === 'amd64');
  if (!amd64?.digest || !isDigest(amd64.digest)) {
    throw new DistributionError('MANIFEST_UNKNOWN', { Tag: reference, Name: name }, {}, 'manifest unknown: the manifest list has no linux/amd64 manifest and the client accepts no list');
  }
  return s.manifests.get(name, amd64.digest);
}
