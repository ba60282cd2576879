import { InvalidArgumentError, UnavailableError } from '../../base/index.js';
import { errorForStatus, registryErrorText } from './registry-error.js';
import type { RegistrySession } from './session.js';
import { readBody } from './transport.js';

/** One search hit, as the v1 search endpoint and the Engine API name its fields. */
export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

export interface SearchOptions {
  limit?: number;
  /** `stars=N`, `is-official=true|false`, `is-automated=true|false`. */
  filters?: Map<string, Set<string>>;
}

const DEFAULT_LIMIT = 25;

function boolFilter(values: Set<string> | undefined, name: string): boolean | undefined {
  if (!values || values.size === 0) return undefined;
  const v = [...values][values.size - 1]!;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new InvalidArgumentError(`invalid filter '${name}=${v}'`);
}

/** GET /v1/search?q=&n= on the registry, then Docker's filters (stars, is-official, is-automated). */
export async function searchRegistry(s: RegistrySession, query: string, opts: SearchOptions & { signal?: AbortSignal }): Promise<SearchResult[]> {
  const limit = opts.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new InvalidArgumentError(`limit ${limit} is outside the range of [1, 100]`);
  const f = opts.filters ?? new Map<string, Set<string>>();
  for (const k of f.keys()) if (!['stars', 'is-official', 'is-automated'].includes(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
  let minStars = 0;
  for (const v of f.get('stars') ?? []) {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`invalid filter 'stars=${v}'`);
    minStars = Math.max(minStars, Number(v));
  }
  const official = boolFilter(f.get('is-official'), 'is-official');
  const automated = boolFilter(f.get('is-automated'), 'is-automated');
  const res = await s.request(`/v1/search?q=${encodeURIComponent(query)}&n=${limit}`, { scopes: [], signal: opts.signal });
  if (res.status !== 200) {
    const { text } = await registryErrorText(res);
    throw errorForStatus(res.status, res.status === 404 ? `Unexpected status code 404 (the registry at ${s.origin} has no search endpoint)` : text);
  }
  let doc: { results?: unknown };
  try {
    doc = JSON.parse((await readBody(res, 16 << 20)).toString('utf8')) as typeof doc;
  } catch {
    throw new UnavailableError(`search at ${s.origin} answered with malformed JSON`);
  }
  const results = Array.isArray(doc.results) ? doc.results : [];
  return results
    .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && typeof (r as { name?: unknown }).name === 'string')
    .map((r) => ({
      name: r.name as string,
      description: typeof r.description === 'string' ? r.description : '',
      star_count: typeof r.star_count === 'number' ? r.star_count : 0,
      is_official: r.is_official === true,
      is_automated: r.is_automated === true,
    }))
    .filter((r) => r.star_count >= minStars && (official === undefined || r.is_official === official) && (automated === undefined || r.is_automated === automated))
    .slice(0, limit);
}
