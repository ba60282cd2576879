import { isDigest, type Digest } from '../../base/index.js';
import { isRepositoryPath, isValidTag } from '../../oci/index.js';
import type { Access } from './auth/access.js';
import { DistributionError } from './errors.js';

/** What a request path names, checked: repository names, digests, tags and upload ids are safe to use in paths. */
export type Route =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'v1-ping' }
  | { kind: 'v1-search' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'uploads'; name: string }
  | { kind: 'upload'; name: string; id: string }
  | { kind: 'blob'; name: string; digest: Digest }
  | { kind: 'referrers'; name: string; digest: Digest };

const NAMED: Array<[RegExp, (name: string, arg: string) => Route]> = [
  [/^\/v2\/(.+)\/tags\/list$/, (name) => ({ kind: 'tags', name })],
  [/^\/v2\/(.+)\/manifests\/([^/]+)$/, (name, reference) => ({ kind: 'manifest', name, reference: checkReference(reference) })],
  [/^\/v2\/(.+)\/blobs\/uploads\/?$/, (name) => ({ kind: 'uploads', name })],
  [/^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, (name, id) => ({ kind: 'upload', name, id })],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, (name, d) => ({ kind: 'blob', name, digest: checkDigest(d) })],
  [/^\/v2\/(.+)\/referrers\/([^/]+)$/, (name, d) => ({ kind: 'referrers', name, digest: checkDigest(d) })],
];

/** The route of a path (without the configured prefix and the query), undefined when none matches. */
export function matchRoute(path: string): Route | undefined {
  if (path === '/v2' || path === '/v2/') return { kind: 'base' };
  if (path === '/v2/_catalog') return { kind: 'catalog' };
  if (path === '/v1/_ping') return { kind: 'v1-ping' };
  if (path === '/v1/search') return { kind: 'v1-search' };
  for (const [re, make] of NAMED) {
    const m = re.exec(path);
    if (!m) continue;
    const name = m[1]!;
    if (!isRepositoryPath(name)) {
      throw new DistributionError('NAME_INVALID', { name }, {}, `invalid repository name: "${name}" must be lowercase path components of [a-z0-9] joined by ".", "_", "__" or "-", at most 255 characters`);
    }
    return make(name, m[2] ?? '');
  }
  return undefined;
}

/** A percent-decoded path segment; a malformed escape stays as it came, and fails the checks that follow. */
function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function checkDigest(s: string): Digest {
  const d = decode(s);
  if (!isDigest(d)) throw new DistributionError('DIGEST_INVALID', { digest: d }, {}, `invalid digest "${d}": expected sha256:<64 hex digits>`);
  return d;
}

function checkReference(s: string): string {
  const r = decode(s);
  if (isDigest(r) || isValidTag(r)) return r;
  if (r.includes(':')) return checkDigest(r);
  throw new DistributionError('TAG_INVALID', { tag: r }, {}, `invalid tag "${r}": expected [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`);
}

/** What a request must be allowed to do, per the distribution spec's scopes. */
export function requiredAccess(route: Route, method: string, query: URLSearchParams): Access[] {
  switch (route.kind) {
    case 'base': case 'v1-ping': return [];
    case 'catalog': case 'v1-search': return [{ type: 'registry', name: 'catalog', actions: ['*'] }];
    default: {
      const read = method === 'GET' || method === 'HEAD';
      const actions = read ? ['pull'] : method === 'DELETE' && route.kind !== 'upload' ? ['delete'] : ['pull', 'push'];
      const access: Access[] = [{ type: 'repository', name: route.name, actions }];
      const from = query.get('from');
      if (route.kind === 'uploads' && query.has('mount') && from !== null && isRepositoryPath(from) && from !== route.name) {
        access.push({ type: 'repository', name: from, actions: ['pull'] });
      }
      return access;
    }
  }
}
