import type { Digest } from '../../base/index.js';
import { DistributionError } from './errors.js';
import type { Reply, RegistryRequest } from './reply.js';
import type { RegistryStorage } from './registry-storage.js';
import { rangeHeaders } from './storage/index.js';

/** HEAD/GET/DELETE /v2/<name>/blobs/<digest>. */
export async function blobRoute(s: RegistryStorage, req: RegistryRequest, name: string, digest: Digest): Promise<Reply> {
  if (req.method === 'DELETE') {
    s.checkDelete();
    if (!(await s.blobs.unlink(name, digest))) throw new DistributionError('BLOB_UNKNOWN', digest);
    return { status: 202, headers: { 'Content-Length': '0', 'Docker-Content-Digest': digest } };
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') throw unsupported();
  // A GET opens the blob at once and takes the open file's size: one that is deleted meanwhile is absent, never half-sent.
  const opened = req.method === 'GET' ? await s.blobs.openIn(name, digest) : undefined;
  const size = req.method === 'GET' ? opened?.size : await s.blobs.sizeIn(name, digest);
  if (size === undefined) throw new DistributionError('BLOB_UNKNOWN', digest);
  const headers: Record<string, string> = {
    'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': digest, ETag: `"${digest}"`,
    'Cache-Control': 'max-age=31536000', 'Accept-Ranges': 'bytes',
  };
  const range = parseRange(req.headers.range, size);
  let status = 200;
  let part = { start: 0, length: size };
  if (range === 'unsatisfiable') {
    status = 416;
    headers['Content-Range'] = `bytes */${size}`;
    part = { start: 0, length: 0 };
  } else if (range) {
    status = 206;
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
    part = { start: range.start, length: range.end - range.start + 1 };
  }
  headers['Content-Length'] = String(part.length);
  if (opened && part.length > 0) return { status, headers, body: { file: opened.file, ...part } };
  await opened?.file.close();
  return { status, headers };
}

/** POST /v2/<name>/blobs/uploads/: a session, a monolithic upload (?digest=) or a mount (?mount=&from=). */
export async function startUploadRoute(s: RegistryStorage, req: RegistryRequest, name: string): Promise<Reply> {
  if (req.method !== 'POST') throw unsupported();
  s.checkWrite();
  const mount = req.query.get('mount');
  const from = req.query.get('from');
  if (mount !== null && from !== null) {
    const d = s.digestParam(mount);
    const matched = s.validName(from) && (await s.blobs.sizeIn(from, d)) !== undefined;
    if (matched) {
      await s.blobs.link(name, d);
      req.body.resume();
      return { status: 201, headers: { Location: `/v2/${name}/blobs/${d}`, 'Docker-Content-Digest': d, 'Content-Length': '0' } };
    }
  }
  const digestParam = req.query.get('digest');
  const upload = await s.uploads.start(name);
  if (digestParam !== null) {
    const d = s.digestParam(digestParam);
    await s.uploads.finish(name, upload.id, d, req.body, contentLength(req));
    return { status: 201, headers: { Location: `/v2/${name}/blobs/${d}`, 'Docker-Content-Digest': d, 'Content-Length': '0' } };
  }
  req.body.resume();
  return { status: 202, headers: { ...rangeHeaders(name, upload.id, 0), Range: '0-0', 'Content-Length': '0' } };
}

/** GET/PATCH/PUT/DELETE /v2/<name>/blobs/uploads/<id>. */
export async function uploadRoute(s: RegistryStorage, req: RegistryRequest, name: string, id: string): Promise<Reply> {
  switch (req.method) {
    case 'GET': {
      const st = await s.uploads.status(name, id);
      return { status: 204, headers: { ...rangeHeaders(name, id, st.size), ...(st.size === 0 ? { Range: '0-0' } : {}), 'Content-Length': '0' } };
    }
    case 'PATCH': {
      s.checkWrite();
      const cr = parseContentRange(req.headers['content-range']);
      const size = await s.uploads.append(name, id, req.body, { ...(cr ? { from: cr.start, length: cr.end - cr.start + 1 } : {}) });
      return { status: 202, headers: { ...rangeHeaders(name, id, size), 'Content-Length': '0' } };
    }
    case 'PUT': {
      s.checkWrite();
      const digestParam = req.query.get('digest');
      if (digestParam === null) throw new DistributionError('DIGEST_INVALID', undefined, {}, 'digest missing: PUT needs ?digest=<digest> to close an upload');
      const d = s.digestParam(digestParam);
      const length = contentLength(req);
      await s.uploads.finish(name, id, d, length === 0 ? undefined : req.body, length);
      if (length === 0) req.body.resume();
      return { status: 201, headers: { Location: `/v2/${name}/blobs/${d}`, 'Docker-Content-Digest': d, 'Content-Length': '0' } };
    }
    case 'DELETE':
      await s.uploads.cancel(name, id);
      req.body.resume();
      return { status: 204, headers: { 'Content-Length': '0' } };
    default:
      throw unsupported();
  }
}

function contentLength(req: RegistryRequest): number | undefined {
  const v = req.headers['content-length'];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` against a blob of `size`; undefined for no or several ranges. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return header.includes(',') ? undefined : 'unsatisfiable';
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(size - n, 0), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** A chunk's Content-Range as clients send it: `a-b`, `bytes a-b/*` or `bytes=a-b`. */
export function parseContentRange(header: string | undefined): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!m || Number(m[2]) < Number(m[1])) throw new DistributionError('RANGE_INVALID', { 'Content-Range': header });
  return { start: Number(m[1]), end: Number(m[2]) };
}

function unsupported(): DistributionError {
  return new DistributionError('UNSUPPORTED');
}
