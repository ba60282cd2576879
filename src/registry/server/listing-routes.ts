import type { Digest } from '../../base/index.js';
import { MEDIA_TYPE_OCI_INDEX } from '../../oci/index.js';
import { DistributionError } from './errors.js';
import { checkManifest } from './manifest-check.js';
import { json, type Reply, type RegistryRequest } from './reply.js';
import type { RegistryStorage } from './registry-storage.js';
import { compareRepositoryNames } from './storage/index.js';

/** GET /v2/<name>/tags/list?n=&last= */
export async function tagsRoute(s: RegistryStorage, req: RegistryRequest, name: string): Promise<Reply> {
  onlyGet(req);
  const page = paginate(await s.manifests.tags(name), req.query);
  const link: Record<string, string> = page.next ? { Link: `</v2/${name}/tags/list?last=${encodeURIComponent(page.next)}&n=${page.n}>; rel="next"` } : {};
  return json(200, { name, tags: page.items }, link);
}

/** GET /v2/_catalog?n=&last= */
export async function catalogRoute(s: RegistryStorage, req: RegistryRequest): Promise<Reply> {
  onlyGet(req);
  const page = paginate(await s.manifests.repositories(), req.query, compareRepositoryNames);
  const link: Record<string, string> = page.next ? { Link: `</v2/_catalog?last=${encodeURIComponent(page.next)}&n=${page.n}>; rel="next"` } : {};
  return json(200, { repositories: page.items }, link);
}

/** GET /v2/<name>/referrers/<digest>?artifactType= : an OCI index of the manifests whose subject is `digest`. */
export async function referrersRoute(s: RegistryStorage, req: RegistryRequest, name: string, digest: Digest): Promise<Reply> {
  onlyGet(req);
  const filter = req.query.get('artifactType');
  const manifests = [];
  for (const m of await s.manifests.referrers(name, digest)) {
    const facts = checkManifest(m.body, m.mediaType);
    if (filter !== null && facts.artifactType !== filter) continue;
    manifests.push({
      mediaType: m.mediaType, digest: m.digest, size: m.body.length,
      ...(facts.artifactType !== undefined ? { artifactType: facts.artifactType } : {}),
      ...(facts.annotations ? { annotations: facts.annotations } : {}),
    });
  }
  manifests.sort((a, b) => (a.digest < b.digest ? -1 : 1));
  const headers: Record<string, string> = { 'Content-Type': MEDIA_TYPE_OCI_INDEX };
  if (filter !== null) headers['OCI-Filters-Applied'] = 'artifactType';
  return { status: 200, headers, body: JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests }) };
}

/**
 * GET /v1/search?q=&n=&page= : the v1 search API Docker's `search` speaks, answered from the
 * catalog: repositories whose name contains the query.
 */
export async function searchRoute(s: RegistryStorage, req: RegistryRequest): Promise<Reply> {
  onlyGet(req);
  const q = (req.query.get('q') ?? '').toLowerCase();
  const n = clampInt(req.query.get('n'), 25, 1, 100);
  const pageNo = clampInt(req.query.get('page'), 1, 1, Number.MAX_SAFE_INTEGER);
  const hits = (await s.manifests.repositories()).filter((r) => r.includes(q));
  const results = hits.slice((pageNo - 1) * n, pageNo * n).map((name) => ({ name, description: '', star_count: 0, is_official: false, is_automated: false, is_trusted: false }));
  return json(200, { num_pages: Math.max(1, Math.ceil(hits.length / n)), num_results: hits.length, page_size: n, page: pageNo, query: q, results });
}

/** GET /v1/_ping as the standalone registries Docker's v1 search probes. */
export function v1PingRoute(): Reply {
  return { status: 200, headers: { 'Content-Type': 'application/json', 'X-Docker-Registry-Version': '2.0', 'X-Docker-Registry-Standalone': 'true' }, body: 'true' };
}

function paginate(all: string[], query: URLSearchParams, cmp: (a: string, b: string) => number = (a, b) => (a < b ? -1 : a > b ? 1 : 0)): { items: string[]; next?: string; n?: number } {
  const last = query.get('last');
  const after = last === null ? all : all.filter((x) => cmp(x, last) > 0);
  const nParam = query.get('n');
  if (nParam === null) return { items: after };
  const n = Number(nParam);
  if (!/^\d+$/.test(nParam) || !Number.isSafeInteger(n)) throw new DistributionError('PAGINATION_NUMBER_INVALID', { n: nParam });
  const items = after.slice(0, n);
  return { items, n, ...(n > 0 && after.length > n ? { next: items[items.length - 1]! } : {}) };
}

function clampInt(v: string | null, dflt: number, min: number, max: number): number {
  const n = v === null ? dflt : Number.parseInt(v, 10);
  return Number.isFinite(n) ? Math.min(Math.max(n, min), max) : dflt;
}

function onlyGet(req: RegistryRequest): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new DistributionError('UNSUPPORTED');
}
