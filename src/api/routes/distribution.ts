import { InvalidArgumentError, isDigest, parseFilters } from '../../base/index.js';
import { familiarName, isValidTag, parseNormalizedNamed, type Reference } from '../../oci/index.js';
import { json, type Reply, type RequestContext, type Router } from '../server/index.js';

/** Credentials from X-Registry-Auth or POST /auth, camelCased. */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  identityToken?: string;
  registryToken?: string;
}

/** A pull/push progress line (the registry client's TransferEvent). */
export interface DistributionEvent {
  status: string;
  id?: string;
  current?: number;
  total?: number;
  layer?: boolean;
  aux?: unknown;
}

export interface SearchHit {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

export interface DistributionBackend {
  pull(ref: Reference, opts: { allTags?: boolean; platform?: string; credentials?: RegistryCredentials; signal?: AbortSignal }): AsyncIterable<DistributionEvent>;
  push(ref: Reference, opts: { localTags: string[]; platform?: string; credentials?: RegistryCredentials; signal?: AbortSignal }): AsyncIterable<DistributionEvent>;
  login(serverAddress: string, creds: RegistryCredentials, signal?: AbortSignal): Promise<{ status: string; identityToken: string }>;
  search(term: string, opts: { limit?: number; filters?: Map<string, Set<string>>; credentials?: RegistryCredentials; signal?: AbortSignal }): Promise<SearchHit[]>;
  /** Tags of local images in a repository (push without a tag pushes them all). */
  localTags(repository: Reference): Promise<string[]>;
}

/** X-Registry-Auth: base64url (or base64) JSON of Docker's AuthConfig; anything unreadable is no credentials, as dockerd treats it. */
export function decodeRegistryAuth(header: string | string[] | undefined): RegistryCredentials {
  const h = Array.isArray(header) ? header[0] : header;
  if (!h) return {};
  try {
    const doc = JSON.parse(Buffer.from(h.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as Record<string, unknown>;
    return fromAuthConfig(doc);
  } catch {
    return {};
  }
}

function fromAuthConfig(doc: Record<string, unknown> | null | undefined): RegistryCredentials {
  if (typeof doc !== 'object' || doc === null) return {};
  const str = (k: string): string | undefined => (typeof doc[k] === 'string' && doc[k] !== '' ? (doc[k] as string) : undefined);
  const out: RegistryCredentials = {};
  let username = str('username');
  let password = str('password');
  const auth = str('auth');
  if (auth && !username) {
    const [u = '', ...p] = Buffer.from(auth, 'base64').toString('utf8').split(':');
    username = u;
    password = p.join(':');
  }
  if (username) out.username = username;
  if (password) out.password = password;
  if (str('identitytoken')) out.identityToken = str('identitytoken');
  if (str('registrytoken')) out.registryToken = str('registrytoken');
  return out;
}

/** Docker's JSON message for a progress line. */
function toMessage(e: DistributionEvent): Record<string, unknown> {
  if (e.aux !== undefined) return { progressDetail: {}, aux: e.aux };
  const m: Record<string, unknown> = { status: e.status };
  if (e.current !== undefined) m.progressDetail = { current: e.current, total: e.total };
  else if (e.layer) m.progressDetail = {};
  if (e.id !== undefined) m.id = e.id;
  return m;
}

/**
 * A stream whose first line is awaited before the reply starts: a failure to resolve the
 * reference (unknown manifest, refused connection, bad credentials) is an error reply with its
 * status, as dockerd's; later failures travel in the stream.
 */
async function primed(events: AsyncIterable<DistributionEvent>): Promise<Reply> {
  const it = events[Symbol.asyncIterator]();
  const first = await it.next();
  async function* rest(): AsyncIterable<unknown> {
    if (first.done) return;
    yield toMessage(first.value);
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield toMessage(r.value);
    }
  }
  return { kind: 'json-stream', events: rest() };
}

/** POST /images/create?fromImage=&tag=: a pull (no tag pulls every tag, as the API says). */
export function pullReply(backend: DistributionBackend, ctx: RequestContext): Promise<Reply> {
  const q = ctx.query;
  const fromImage = q.get('fromImage') ?? '';
  const tag = q.get('tag') ?? '';
  let ref = parseNormalizedNamed(fromImage);
  if (tag) {
    if (isDigest(tag) || tag.includes(':')) {
      if (!isDigest(tag)) throw new InvalidArgumentError('invalid checksum digest format');
      ref = { domain: ref.domain, path: ref.path, digest: tag };
    } else {
      if (!isValidTag(tag)) throw new InvalidArgumentError(`invalid tag format`);
      ref = { domain: ref.domain, path: ref.path, tag };
    }
  }
  const allTags = ref.tag === undefined && ref.digest === undefined;
  const platform = q.get('platform') || undefined;
  return primed(backend.pull(ref, { allTags, platform, credentials: decodeRegistryAuth(ctx.req.headers['x-registry-auth']), signal: ctx.signal }));
}

/** push's `platform`: OCI platform JSON (API 1.46), as "os/arch[/variant]". */
function pushPlatform(raw: string | null): string | undefined {
  if (!raw) return undefined;
  let p: { os?: unknown; architecture?: unknown; variant?: unknown };
  try {
    p = JSON.parse(raw) as typeof p;
  } catch {
    throw new InvalidArgumentError(`failed to parse platform: ${raw}`);
  }
  if (typeof p !== 'object' || p === null || typeof p.os !== 'string' || !p.os) throw new InvalidArgumentError(`failed to parse platform: ${raw}`);
  return [p.os, p.architecture, p.variant].filter((x): x is string => typeof x === 'string' && x !== '').join('/');
}

export function distributionRoutes(r: Router, backend: DistributionBackend): void {
  r.post('/images/{name*}/push', async (ctx) => {
    let ref = parseNormalizedNamed(ctx.params.name!);
    const tag = ctx.query.get('tag');
    if (tag) {
      if (!isValidTag(tag)) throw new InvalidArgumentError('invalid tag format');
      ref = { domain: ref.domain, path: ref.path, tag };
    }
    if (ref.digest !== undefined) throw new InvalidArgumentError('cannot push a digest reference');
    const localTags = ref.tag === undefined ? await backend.localTags(ref) : [];
    if (ref.tag === undefined && localTags.length === 0) throw new InvalidArgumentError(`An image does not exist locally with the tag: ${familiarName(ref)}`);
    const platform = pushPlatform(ctx.query.get('platform'));
    return primed(backend.push(ref, { localTags, platform, credentials: decodeRegistryAuth(ctx.req.headers['x-registry-auth']), signal: ctx.signal }));
  });

  r.post('/auth', async (ctx) => {
    const body = await ctx.body<Record<string, unknown>>();
    if (typeof body !== 'object' || body === null) throw new InvalidArgumentError('Unable to parse the auth configuration: expected a JSON object');
    const server = typeof body.serveraddress === 'string' ? body.serveraddress : '';
    const res = await backend.login(server, fromAuthConfig(body), ctx.signal);
    return json({ Status: res.status, IdentityToken: res.identityToken });
  });

  r.get('/images/search', async (ctx) => {
    const term = ctx.query.get('term') ?? '';
    if (!term) throw new InvalidArgumentError('term is required');
    const limitText = ctx.query.get('limit');
    const limit = limitText ? Number(limitText) : undefined;
    if (limitText && !/^-?\d+$/.test(limitText)) throw new InvalidArgumentError(`invalid limit "${limitText}"`);
    const filters = parseFilters(ctx.query.get('filters'), ['stars', 'is-official', 'is-automated']);
    const hits = await backend.search(term, { limit, filters, credentials: decodeRegistryAuth(ctx.req.headers['x-registry-auth']), signal: ctx.signal });
    return json(hits);
  });
}
