import { isDigest } from '../../base/index.js';
import { DistributionError } from './errors.js';
import { MANIFEST_MAX_BYTES } from './manifest-check.js';
import type { Reply, RegistryRequest } from './reply.js';
import type { RegistryStorage } from './registry-storage.js';

/** GET/HEAD/PUT/DELETE /v2/<name>/manifests/<tag or digest>. */
export async function manifestRoute(s: RegistryStorage, req: RegistryRequest, name: string, reference: string): Promise<Reply> {
  switch (req.method) {
    case 'GET': case 'HEAD': {
      const m = await s.manifests.get(name, reference);
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
