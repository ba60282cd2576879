import type { Readable } from 'node:stream';
import { InvalidArgumentError, boolParam, parseFilters, parseRamBytes, type Filters } from '../../base/index.js';
import type { BuildMessage, BuildRequest } from '../../build/index.js';
import { parseNormalizedNamed } from '../../oci/index.js';
import { json, type Router } from '../server/index.js';

export interface BuildBackend {
  build(req: BuildRequest): AsyncIterable<BuildMessage>;
  prune(opts: { all: boolean; keepStorage: number; filters: Filters }): Promise<{ deleted: string[]; spaceReclaimed: number }>;
}

const PRUNE_FILTERS = ['until', 'id', 'parent', 'type', 'description', 'inuse', 'shared', 'private'];

/** `POST /build` on the classic path (`version=1`), and `POST /build/prune`. */
export function buildRoutes(r: Router, backend: BuildBackend): void {
  r.post('/build', async (ctx) => {
    const q = ctx.query;
    if (q.get('version') === '2') throw new InvalidArgumentError('BuildKit (version=2) is not supported by berth: build with DOCKER_BUILDKIT=0');
    const remote = q.get('remote') ?? '';
    if (remote && !/^https?:\/\//i.test(remote)) throw new InvalidArgumentError(`unsupported remote context "${remote}": berth builds from an uploaded context or an http(s) URL to a tarball`);
    const req: BuildRequest = {
      context: remote ? { remote } : (ctx.req as Readable),
      dockerfile: q.get('dockerfile') || 'Dockerfile',
      tags: q.getAll('t').filter((t) => t !== ''),
      buildArgs: stringMap(q.get('buildargs'), 'buildargs'),
      target: q.get('target') || undefined,
      noCache: boolParam(q.get('nocache')),
      cacheFrom: stringList(q.get('cachefrom'), 'cachefrom'),
      pull: boolParam(q.get('pull')),
      quiet: boolParam(q.get('q')),
      labels: Object.fromEntries([...stringMap(q.get('labels'), 'labels')].map(([k, v]) => [k, v ?? ''])),
      rm: q.get('rm') === null ? true : boolParam(q.get('rm')),
      host: {
        ...(q.get('networkmode') && q.get('networkmode') !== 'default' ? { networkMode: q.get('networkmode')! } : {}),
        extraHosts: (q.get('extrahosts') ?? '').split(',').filter(Boolean),
        ...(q.get('shmsize') ? { shmSize: positiveInt(q.get('shmsize')!, 'shmsize') } : {}),
      },
      platform: q.get('platform') || undefined,
      signal: ctx.signal,
    };
    for (const t of req.tags) {
      if (/\s/.test(t)) throw new InvalidArgumentError(`invalid reference format: "${t}"`);
      parseNormalizedNamed(t);
    }
    return { kind: 'json-stream', events: backend.build(req) };
  });

  r.post('/build/prune', async (ctx) => {
    const q = ctx.query;
    const keep = q.get('keep-storage') ?? q.get('reserved-space');
    const res = await backend.prune({
      all: boolParam(q.get('all')),
      keepStorage: keep ? parseRamBytes(keep) : 0,
      filters: parseFilters(q.get('filters'), PRUNE_FILTERS),
    });
    return json({ CachesDeleted: res.deleted, SpaceReclaimed: res.spaceReclaimed });
  });
}

/** A JSON-valued query parameter; null when absent or `null`. */
function jsonParam(raw: string | null, name: string): unknown {
  if (!raw) return null;
  try {
    return JSON.parse(raw);
  } catch {
    throw new InvalidArgumentError(`invalid ${name} parameter: not JSON`);
  }
}

function stringMap(raw: string | null, name: string): Map<string, string | null> {
  const v = jsonParam(raw, name);
  if (v === null) return new Map();
  if (typeof v !== 'object' || Array.isArray(v)) throw new InvalidArgumentError(`invalid ${name} parameter: expected a JSON object`);
  const out = new Map<string, string | null>();
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (val !== null && typeof val !== 'string') throw new InvalidArgumentError(`invalid ${name} parameter: the value of "${k}" is not a string`);
    out.set(k, val as string | null);
  }
  return out;
}

function stringList(raw: string | null, name: string): string[] {
  const v = jsonParam(raw, name);
  if (v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new InvalidArgumentError(`invalid ${name} parameter: expected a JSON array of strings`);
  return v as string[];
}

function positiveInt(s: string, name: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`invalid ${name}: ${s}`);
  return n;
}
