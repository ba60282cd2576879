import { createHash } from 'node:crypto';
import { InvalidArgumentError, UnauthorizedError } from '../../base/index.js';
import { Channel } from '../../base/index.js';
import { familiarName, type Reference } from '../../oci/index.js';
import { endpointsFor, type Endpoint } from './endpoint.js';
import { Limiter } from './limiter.js';
import { DEFAULT_REGISTRY_OPTIONS, DOCKER_HUB_DOMAIN, type Credentials, type RegistryOptions } from './options.js';
import { listTags, pullReference, type PullContext } from './pull.js';
import { pushTag } from './push.js';
import { searchRegistry, type SearchOptions, type SearchResult } from './search.js';
import { RegistrySession } from './session.js';
import { Transport } from './transport.js';
import type { EventSink, RegistryImages, TransferEvent } from './types.js';

const SESSION_CACHE = 64;

/**
 * berthd's registry client: pull, push, login and search against registries speaking the
 * distribution API, over one keep-alive transport, with daemon-wide download and upload
 * limits. Long operations stream TransferEvents; the first event is only produced once the
 * reference resolved, so a caller can turn early failures into an error reply.
 */
export class RegistryClient {
  private readonly transport: Transport;
  private readonly downloads: Limiter;
  private readonly uploads: Limiter;
  private readonly sessions = new Map<string, RegistrySession>();
  readonly options: RegistryOptions;

  constructor(private readonly images: RegistryImages, opts: Partial<RegistryOptions> = {}, private readonly events?: EventSink) {
    this.options = { ...DEFAULT_REGISTRY_OPTIONS, ...opts };
    for (const m of this.options.mirrors) endpointsFor(DOCKER_HUB_DOMAIN, { insecure: this.options.insecure, mirrors: [m] }, 'pull');
    this.transport = new Transport(this.options.certsDirs);
    this.downloads = new Limiter(Math.max(1, this.options.maxConcurrentDownloads));
    this.uploads = new Limiter(Math.max(1, this.options.maxConcurrentUploads));
  }

  private session(ep: Endpoint, creds: Credentials = {}): RegistrySession {
    const key = `${ep.host}|${ep.schemes.join(',')}|${createHash('sha256').update(JSON.stringify(creds)).digest('hex')}`;
    let s = this.sessions.get(key);
    if (s) {
      this.sessions.delete(key);
      this.sessions.set(key, s);
      return s;
    }
    s = new RegistrySession(this.transport, ep, creds);
    this.sessions.set(key, s);
    if (this.sessions.size > SESSION_CACHE) this.sessions.delete(this.sessions.keys().next().value!);
    return s;
  }

  /** Pull `ref` (a tag, a digest, or with `allTags` a repository's every tag). */
  pull(ref: Reference, opts: { allTags?: boolean; platform?: string; credentials?: Credentials; signal?: AbortSignal } = {}): AsyncIterable<TransferEvent> {
    const ch = new Channel<TransferEvent>();
    const ctx: PullContext = {
      images: this.images, events: this.events, downloads: this.downloads, attempts: this.options.maxDownloadAttempts,
      sessions: endpointsFor(ref.domain, this.options, 'pull').map((ep) => this.session(ep, opts.credentials)),
    };
    const run = async (): Promise<void> => {
      if (!opts.allTags) return pullReference(ctx, ref, opts, ch);
      const registry = ctx.sessions[ctx.sessions.length - 1]!;
      const tags = await listTags(registry, ref.path, opts.signal);
      for (const tag of tags) await pullReference(ctx, { domain: ref.domain, path: ref.path, tag }, opts, ch);
    };
    run().then(() => ch.close(), (e: unknown) => ch.close(e));
    return ch;
  }

  /** Push one tag, or every local tag of the repository when `ref` has none. */
  push(ref: Reference, opts: { localTags: string[]; platform?: string; credentials?: Credentials; signal?: AbortSignal }): AsyncIterable<TransferEvent> {
    const ch = new Channel<TransferEvent>();
    const ep = endpointsFor(ref.domain, this.options, 'push')[0]!;
    const session = this.session(ep, opts.credentials);
    const run = async (): Promise<void> => {
      const tags = ref.tag !== undefined ? [ref.tag] : opts.localTags;
      if (tags.length === 0) throw new InvalidArgumentError(`An image does not exist locally with the tag: ${familiarName(ref)}`);
      await session.ping(opts.signal);
      ch.push({ status: `The push refers to repository [${ref.domain}/${ref.path}]` });
      for (const tag of tags) await pushTag({ images: this.images, events: this.events, uploads: this.uploads, session }, { ...ref, tag }, { platform: opts.platform, signal: opts.signal }, ch);
    };
    run().then(() => ch.close(), (e: unknown) => ch.close(e));
    return ch;
  }

  /**
   * POST /auth: check credentials against a registry's `/v2/` (basic, or the token flow).
   * `serverAddress` as docker login sends it ('' or Docker Hub's index URL means docker.io).
   */
  async login(serverAddress: string, creds: Credentials, signal?: AbortSignal): Promise<{ status: string; identityToken: string }> {
    const domain = loginDomain(serverAddress);
    const ep = endpointsFor(domain, this.options, 'push')[0]!;
    const s = new RegistrySession(this.transport, ep, creds);
    await s.ping(signal);
    if (!s.requiresAuth) return { status: 'Login Succeeded', identityToken: '' };
    let res;
    try {
      res = await s.request('/v2/', { scopes: [], signal });
    } catch (e) {
      if (e instanceof UnauthorizedError && /no basic auth credentials/.test(e.message)) throw new UnauthorizedError(`login attempt to ${s.origin}/v2/ failed with status: 401 Unauthorized`);
      throw e;
    }
    res.body.resume();
    if (res.status === 200) return { status: 'Login Succeeded', identityToken: '' };
    throw new UnauthorizedError(`login attempt to ${s.origin}/v2/ failed with status: ${res.status} ${res.body.statusMessage ?? ''}`.trim());
  }

  /** GET /images/search: the v1 search endpoint of the registry the term names (docker.io by default). */
  search(term: string, opts: SearchOptions & { credentials?: Credentials; signal?: AbortSignal }): Promise<SearchResult[]> {
    const { domain, query } = splitSearchTerm(term);
    const ep = endpointsFor(domain, this.options, 'push')[0]!;
    const host = domain === DOCKER_HUB_DOMAIN ? { ...ep, host: 'index.docker.io' } : ep;
    return searchRegistry(this.session(host, opts.credentials), query, opts);
  }

  close(): void {
    this.transport.close();
  }
}

/** docker login's server argument → the registry domain (Docker Hub's index URL → docker.io). */
export function loginDomain(serverAddress: string): string {
  const s = serverAddress.trim().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (s === '' || s === 'index.docker.io' || s === 'registry-1.docker.io' || s === 'docker.io') return DOCKER_HUB_DOMAIN;
  return s;
}

/** `localhost:5000/busybox` → that registry and "busybox"; `busybox` → Docker Hub. */
export function splitSearchTerm(term: string): { domain: string; query: string } {
  if (term.includes('://')) throw new InvalidArgumentError(`invalid repository name: repository name (${term}) should not have a scheme`);
  const slash = term.indexOf('/');
  const first = slash > -1 ? term.slice(0, slash) : '';
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return { domain: first === 'index.docker.io' ? DOCKER_HUB_DOMAIN : first, query: term.slice(slash + 1) };
  }
  return { domain: DOCKER_HUB_DOMAIN, query: term };
}

