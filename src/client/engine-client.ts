import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type {
  ContainerCreateRequest, ContainerCreateResponse, ContainerInspectResponse, ContainerPruneResponse,
  ContainerSummary, ContainerWaitResponse, HistoryResponseItem, ImageDeleteResponseItem, ImageInspect,
  EventMessage, ImagePruneResponse, ImageSummary, Network, SystemInfo, SystemVersion,
  ContainerTopResponse, ExecCreateRequest, ExecInspectResponse, ExecStartRequest,
  Volume, VolumeCreateOptions, VolumeListResponse, VolumePruneResponse,
} from '../api/types/index.js';
import type { ContainerStatsResponse, ContainerUpdateRequest, SystemDiskUsageResponse } from '../api/types/index.js';
import { formatFilters } from '../base/index.js';
import { DEFAULT_DAEMON_HOST, parseDaemonHost } from './host.js';
import type { DaemonEndpoint } from './host.js';
import { buildQuery, compareVersions } from './query.js';
import type { QueryValue } from './query.js';
import { readBody, readError, Transport } from './transport.js';
import type { Body } from './transport.js';

/** The highest Engine API version this client speaks (docker 28.2's). */
export const CLIENT_API_VERSION = '1.50';
/** Below this the daemon is too old for this client. */
export const MIN_API_VERSION = '1.24';

export type FilterArgs = Record<string, string[]>;

export interface EngineClientOptions {
  /** `unix:///path` or `tcp://host:port`; DOCKER_HOST, then the berth socket, by default */
  host?: string;
  /** Pin the API version (DOCKER_API_VERSION) instead of negotiating it */
  apiVersion?: string;
  userAgent?: string;
}

export interface PingResult {
  apiVersion: string;
  osType: string;
  experimental: boolean;
  builderVersion?: string;
}

export interface RequestOptions {
  method?: string;
  query?: Record<string, QueryValue>;
  /** JSON-encoded unless it is already a Buffer, string or stream */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface AttachOptions {
  stream?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  logs?: boolean;
  detachKeys?: string;
  signal?: AbortSignal;
}

export interface LogsOptions {
  stdout?: boolean;
  stderr?: boolean;
  follow?: boolean;
  timestamps?: boolean;
  details?: boolean;
  since?: string;
  until?: string;
  tail?: string;
  signal?: AbortSignal;
}

function filtersParam(f: FilterArgs | undefined): string | undefined {
  if (!f || Object.keys(f).length === 0) return undefined;
  return formatFilters(f);
}

/** Upper-case, "CAP_"-prefixed (except ALL), deduplicated and sorted capability names. */
export function normalizeCapabilities(caps: readonly string[]): string[] {
  const set = new Set(caps.map((c) => {
    const u = c.trim().toUpperCase();
    return u === 'ALL' || u.startsWith('CAP_') ? u : `CAP_${u}`;
  }));
  return [...set].sort();
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

/**
 * A client of the Docker Engine API. It negotiates the version with HEAD /_ping on
 * first use and prefixes every path with `/v<version>`. Non-2xx answers throw ClientError.
 */
export class EngineClient {
  readonly endpoint: DaemonEndpoint;
  private readonly transport: Transport;
  private version: string | undefined;
  private negotiating: Promise<string> | undefined;
  private pingResult: PingResult | undefined;

  constructor(opts: EngineClientOptions = {}) {
    this.endpoint = parseDaemonHost(opts.host ?? process.env.DOCKER_HOST ?? DEFAULT_DAEMON_HOST);
    this.transport = new Transport(this.endpoint, opts.userAgent ?? `Berth-Client/0.1.0 (${process.platform})`);
    this.version = opts.apiVersion ?? (process.env.DOCKER_API_VERSION || undefined);
  }

  /** The daemon address as given ("unix:///run/berth/berth.sock"). */
  get daemonHost(): string {
    return this.endpoint.url;
  }

  /** The negotiated API version (after the first request), or the pinned one. */
  get apiVersion(): string {
    return this.version ?? CLIENT_API_VERSION;
  }

  close(): void {
    this.transport.close();
  }

  // ---- plumbing -------------------------------------------------------------------------

  /** HEAD /_ping (GET when HEAD is refused). Never versioned. */
  async ping(signal?: AbortSignal): Promise<PingResult> {
    let res = await this.transport.send({ method: 'HEAD', path: '/_ping', signal });
    await drained(res);
    if (res.statusCode !== 200 && res.statusCode !== 500) {
      res = await this.transport.send({ method: 'GET', path: '/_ping', signal });
      if ((res.statusCode ?? 500) >= 400) throw await readError(res);
      await drained(res);
    }
    const h = res.headers;
    this.pingResult = {
      apiVersion: String(h['api-version'] ?? ''),
      osType: String(h['ostype'] ?? ''),
      experimental: h['docker-experimental'] === 'true',
      builderVersion: h['builder-version'] === undefined ? undefined : String(h['builder-version']),
    };
    return this.pingResult;
  }

  /** What the last /_ping said (after negotiation), if anything. */
  get lastPing(): PingResult | undefined {
    return this.pingResult;
  }

  /** OS type the daemon reported on /_ping ("linux"), once negotiated. */
  get serverOsType(): string {
    return this.pingResult?.osType || 'linux';
  }

  private negotiate(): Promise<string> {
    if (this.version) return Promise.resolve(this.version);
    this.negotiating ??= this.ping().then((p) => {
      let v = CLIENT_API_VERSION;
      if (p.apiVersion && compareVersions(p.apiVersion, v) < 0) v = p.apiVersion;
      if (!p.apiVersion) v = MIN_API_VERSION;
      this.version = v;
      return v;
    });
    return this.negotiating;
  }

  /** True when the negotiated version is at least `v`. */
  async supports(v: string): Promise<boolean> {
    return compareVersions(await this.negotiate(), v) >= 0;
  }

  private async path(p: string, query?: Record<string, QueryValue>): Promise<string> {
    const v = await this.negotiate();
    return `/v${v}${p}${buildQuery(query)}`;
  }

  private encodeBody(body: unknown, headers: Record<string, string>): Body {
    if (body === undefined) return undefined;
    if (typeof body === 'string' || Buffer.isBuffer(body)) return body;
    if (typeof (body as Readable).pipe === 'function') return body as Readable;
    headers['Content-Type'] ??= 'application/json';
    return JSON.stringify(body);
  }

  /** Send a request; resolve with the response (2xx and 3xx) for the caller to read. */
  async request(path: string, opts: RequestOptions = {}): Promise<IncomingMessage> {
    const headers = { ...opts.headers };
    const body = this.encodeBody(opts.body, headers);
    if (body !== undefined && !headers['Content-Type']) headers['Content-Type'] = 'text/plain';
    const res = await this.transport.send({
      method: opts.method ?? 'GET', path: await this.path(path, opts.query), headers, body, signal: opts.signal,
    });
    if ((res.statusCode ?? 500) >= 400) throw await readError(res);
    return res;
  }

  /** Send a request and parse a JSON answer (undefined for an empty body). */
  async json<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    const text = await this.text(path, opts);
    return (text.trim() === '' ? undefined : JSON.parse(text)) as T;
  }

  /** Send a request and return the raw body text (inspect keeps the daemon's bytes). */
  async text(path: string, opts: RequestOptions = {}): Promise<string> {
    const res = await this.request(path, opts);
    return (await readBody(res)).toString('utf8');
  }

  /** POST with Connection: Upgrade; resolves with the raw bidirectional socket. */
  async hijack(path: string, opts: RequestOptions = {}): Promise<Socket> {
    const headers = { ...opts.headers };
    const body = this.encodeBody(opts.body, headers);
    return this.transport.hijack({ method: 'POST', path: await this.path(path, opts.query), headers, body, signal: opts.signal });
  }

  // ---- system ---------------------------------------------------------------------------

  version_(): Promise<SystemVersion> {
    return this.json('/version');
  }

  info(): Promise<SystemInfo> {
    return this.json('/info');
  }

  // ---- containers -----------------------------------------------------------------------

  /**
   * POST /containers/create. As docker's client: capabilities get their canonical
   * "CAP_" names (deduplicated, sorted), and the deprecated top-level MacAddress is
   * dropped from API 1.44 on, where it lives per endpoint.
   */
  async containerCreate(body: ContainerCreateRequest, opts: { name?: string; platform?: string } = {}): Promise<ContainerCreateResponse> {
    const req: ContainerCreateRequest = { ...body };
    if (req.HostConfig) {
      req.HostConfig = { ...req.HostConfig };
      if (req.HostConfig.CapAdd) req.HostConfig.CapAdd = normalizeCapabilities(req.HostConfig.CapAdd);
      if (req.HostConfig.CapDrop) req.HostConfig.CapDrop = normalizeCapabilities(req.HostConfig.CapDrop);
    }
    const perEndpointMac = Object.values(req.NetworkingConfig?.EndpointsConfig ?? {}).some((e) => e.MacAddress);
    if (await this.supports('1.44')) delete req.MacAddress;
    else if (perEndpointMac) throw new Error(`"specify mac-address per network" requires API version 1.44, but the Docker daemon API version is ${this.apiVersion}`);
    return this.json('/containers/create', { method: 'POST', query: { name: opts.name, platform: opts.platform }, body: req });
  }

  containerList(opts: { all?: boolean; limit?: number; size?: boolean; filters?: FilterArgs } = {}): Promise<ContainerSummary[]> {
    return this.json('/containers/json', {
      query: { all: opts.all, limit: opts.limit && opts.limit > 0 ? opts.limit : undefined, size: opts.size, filters: filtersParam(opts.filters) },
    });
  }

  containerInspect(id: string, opts: { size?: boolean } = {}): Promise<ContainerInspectResponse> {
    return this.json(`/containers/${enc(id)}/json`, { query: { size: opts.size } });
  }

  /** Inspect, keeping the daemon's JSON text (field order and escapes) next to the parsed value. */
  async containerInspectRaw(id: string, opts: { size?: boolean } = {}): Promise<{ raw: string; value: ContainerInspectResponse }> {
    const raw = await this.text(`/containers/${enc(id)}/json`, { query: { size: opts.size } });
    return { raw, value: JSON.parse(raw) as ContainerInspectResponse };
  }

  async containerStart(id: string, opts: { detachKeys?: string; checkpoint?: string; checkpointDir?: string } = {}): Promise<void> {
    const query = { detachKeys: opts.detachKeys, checkpoint: opts.checkpoint || undefined, 'checkpoint-dir': opts.checkpointDir || undefined };
    (await this.request(`/containers/${enc(id)}/start`, { method: 'POST', query })).resume();
  }

  async containerStop(id: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    (await this.request(`/containers/${enc(id)}/stop`, { method: 'POST', query: { t: opts.timeout, signal: opts.signal } })).resume();
  }

  async containerRestart(id: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    (await this.request(`/containers/${enc(id)}/restart`, { method: 'POST', query: { t: opts.timeout, signal: opts.signal } })).resume();
  }

  async containerKill(id: string, signal?: string): Promise<void> {
    (await this.request(`/containers/${enc(id)}/kill`, { method: 'POST', query: { signal } })).resume();
  }

  async containerRemove(id: string, opts: { force?: boolean; volumes?: boolean; link?: boolean } = {}): Promise<void> {
    (await this.request(`/containers/${enc(id)}`, { method: 'DELETE', query: { force: opts.force, v: opts.volumes, link: opts.link } })).resume();
  }

  async containerRename(id: string, name: string): Promise<void> {
    (await this.request(`/containers/${enc(id)}/rename`, { method: 'POST', query: { name } })).resume();
  }

  async containerResize(id: string, size: { height: number; width: number }): Promise<void> {
    (await this.request(`/containers/${enc(id)}/resize`, { method: 'POST', query: { h: size.height, w: size.width } })).resume();
  }

  /**
   * POST /containers/{id}/wait. Resolves once the daemon has registered the waiter (it
   * sends the headers first), so a start issued afterwards cannot be missed; `result`
   * settles when the condition is met.
   */
  async containerWait(id: string, condition: 'not-running' | 'next-exit' | 'removed' = 'not-running', signal?: AbortSignal): Promise<{ result: Promise<ContainerWaitResponse> }> {
    const res = await this.request(`/containers/${enc(id)}/wait`, { method: 'POST', query: { condition }, signal });
    const result = readBody(res).then((b) => {
      const text = b.toString('utf8').trim();
      if (!text) throw new Error('unexpected EOF');
      return JSON.parse(text) as ContainerWaitResponse;
    });
    result.catch(() => {});
    return { result };
  }

  containerAttach(id: string, opts: AttachOptions): Promise<Socket> {
    return this.hijack(`/containers/${enc(id)}/attach`, {
      query: { stream: opts.stream, stdin: opts.stdin, stdout: opts.stdout, stderr: opts.stderr, logs: opts.logs, detachKeys: opts.detachKeys },
      signal: opts.signal,
    });
  }

  /** POST /containers/{id}/exec: the exec's id. */
  async containerExecCreate(id: string, body: ExecCreateRequest): Promise<string> {
    return (await this.json<{ Id: string }>(`/containers/${enc(id)}/exec`, { method: 'POST', body })).Id;
  }

  /** POST /exec/{id}/start, attached: the hijacked connection (multiplexed unless Tty). */
  execStartAttached(execId: string, body: ExecStartRequest): Promise<Socket> {
    return this.hijack(`/exec/${enc(execId)}/start`, { body: { ...body, Detach: false } });
  }

  /** POST /exec/{id}/start with Detach: the process runs on its own. */
  async execStartDetached(execId: string, body: ExecStartRequest = {}): Promise<void> {
    (await this.request(`/exec/${enc(execId)}/start`, { method: 'POST', body: { ...body, Detach: true } })).resume();
  }

  async execResize(execId: string, size: { height: number; width: number }): Promise<void> {
    (await this.request(`/exec/${enc(execId)}/resize`, { method: 'POST', query: { h: size.height, w: size.width } })).resume();
  }

  execInspect(execId: string): Promise<ExecInspectResponse> {
    return this.json(`/exec/${enc(execId)}/json`);
  }

  /** GET /containers/{id}/top with ps's options. */
  containerTop(id: string, psArgs?: string): Promise<ContainerTopResponse> {
    return this.json(`/containers/${enc(id)}/top`, { query: { ps_args: psArgs || undefined } });
  }

  /** GET /containers/{id}/logs: multiplexed unless the container has a TTY. */
  containerLogs(id: string, opts: LogsOptions): Promise<IncomingMessage> {
    return this.request(`/containers/${enc(id)}/logs`, {
      query: {
        stdout: opts.stdout, stderr: opts.stderr, follow: opts.follow, timestamps: opts.timestamps,
        details: opts.details, since: opts.since, until: opts.until, tail: opts.tail ?? 'all',
      },
      signal: opts.signal,
    });
  }

  /**
   * GET /events: the daemon's events as they come, until the daemon ends the stream (`until`
   * passed) or `signal` aborts. `since`/`until` are the API's Unix seconds ("s.nnnnnnnnn").
   * `timeNano` is read from the text: an int64 that a double would round.
   */
  async *events(opts: { since?: string; until?: string; filters?: FilterArgs; signal?: AbortSignal } = {}): AsyncGenerator<{ message: EventMessage; timeNano: bigint }> {
    const res = await this.request('/events', {
      query: { since: opts.since || undefined, until: opts.until || undefined, filters: filtersParam(opts.filters) },
      signal: opts.signal,
    });
    let buf = '';
    const parse = (line: string): { message: EventMessage; timeNano: bigint } => {
      const message = JSON.parse(line) as EventMessage;
      const nano = /"timeNano":(-?\d+)/.exec(line)?.[1];
      return { message, timeNano: nano !== undefined ? BigInt(nano) : BigInt(message.time ?? 0) * 1_000_000_000n };
    };
    res.setEncoding('utf8');
    try {
      for await (const chunk of res as AsyncIterable<string>) {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) yield parse(line);
        }
      }
    } catch (e) {
      // The daemon cut the stream (a client that fell behind): Go's client reads that as this.
      if (!opts.signal?.aborted && (e as NodeJS.ErrnoException).code === 'ECONNRESET') throw new Error('unexpected EOF');
      throw e;
    }
    if (buf.trim()) yield parse(buf.trim());
  }

  /** GET /containers/{id}/export: a tar stream of the container's filesystem. */
  containerExport(id: string, signal?: AbortSignal): Promise<IncomingMessage> {
    return this.request(`/containers/${enc(id)}/export`, { signal });
  }

  containerPrune(filters?: FilterArgs): Promise<ContainerPruneResponse> {
    return this.json('/containers/prune', { method: 'POST', query: { filters: filtersParam(filters) } });
  }

  async containerPause(id: string): Promise<void> {
    (await this.request(`/containers/${enc(id)}/pause`, { method: 'POST' })).resume();
  }

  async containerUnpause(id: string): Promise<void> {
    (await this.request(`/containers/${enc(id)}/unpause`, { method: 'POST' })).resume();
  }

  containerUpdate(id: string, body: ContainerUpdateRequest): Promise<{ Warnings?: string[] | null }> {
    return this.json(`/containers/${enc(id)}/update`, { method: 'POST', body });
  }

  systemDiskUsage(types?: string[]): Promise<SystemDiskUsageResponse> {
    return this.json(`/system/df${types?.length ? `?${types.map((t) => `type=${encodeURIComponent(t)}`).join('&')}` : ''}`);
  }

  /** GET /containers/{id}/stats: one answer (stream false) or one per second until `signal` aborts. */
  async *containerStats(id: string, opts: { stream: boolean; oneShot?: boolean; signal?: AbortSignal }): AsyncGenerator<ContainerStatsResponse> {
    const res = await this.request(`/containers/${enc(id)}/stats`, { query: { stream: opts.stream, 'one-shot': opts.oneShot || undefined }, signal: opts.signal });
    let buf = '';
    res.setEncoding('utf8');
    for await (const chunk of res as AsyncIterable<string>) {
      buf += chunk;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) yield JSON.parse(line) as ContainerStatsResponse;
      }
    }
    if (buf.trim()) yield JSON.parse(buf) as ContainerStatsResponse;
  }

  // ---- images ---------------------------------------------------------------------------

  imageList(opts: { all?: boolean; filters?: FilterArgs; digests?: boolean; sharedSize?: boolean } = {}): Promise<ImageSummary[]> {
    return this.json('/images/json', { query: { all: opts.all, filters: filtersParam(opts.filters), digests: opts.digests, 'shared-size': opts.sharedSize } });
  }

  imageInspect(name: string): Promise<ImageInspect> {
    return this.json(`/images/${enc(name)}/json`);
  }

  async imageInspectRaw(name: string, opts: { platform?: string } = {}): Promise<{ raw: string; value: ImageInspect }> {
    const raw = await this.text(`/images/${enc(name)}/json`, { query: { platform: opts.platform } });
    return { raw, value: JSON.parse(raw) as ImageInspect };
  }

  imageHistory(name: string, opts: { platform?: string } = {}): Promise<HistoryResponseItem[]> {
    return this.json(`/images/${enc(name)}/history`, { query: { platform: opts.platform } });
  }

  async imageTag(source: string, repo: string, tag?: string): Promise<void> {
    (await this.request(`/images/${enc(source)}/tag`, { method: 'POST', query: { repo, tag } })).resume();
  }

  imageRemove(name: string, opts: { force?: boolean; noPrune?: boolean; platforms?: string[] } = {}): Promise<ImageDeleteResponseItem[]> {
    return this.json(`/images/${enc(name)}`, { method: 'DELETE', query: { force: opts.force, noprune: opts.noPrune, platforms: opts.platforms } });
  }

  imagePrune(filters?: FilterArgs): Promise<ImagePruneResponse> {
    return this.json('/images/prune', { method: 'POST', query: { filters: filtersParam(filters) } });
  }

  /**
   * POST /images/create?fromImage=: a pull; resolves with the JSON progress stream. As
   * docker's client, the name goes in fromImage and the tag (":latest" unless given,
   * or the digest) in tag; `allTags` leaves the tag out.
   */
  async imagePull(ref: string, opts: { allTags?: boolean; platform?: string; registryAuth?: string; signal?: AbortSignal } = {}): Promise<IncomingMessage> {
    // Loaded on demand: reference parsing is the only thing the client needs from oci.
    const { parseNormalizedNamed, referenceName } = await import('../oci/reference.js');
    const named = parseNormalizedNamed(ref);
    const tag = opts.allTags ? undefined : named.digest ?? named.tag ?? 'latest';
    return this.request('/images/create', {
      method: 'POST',
      query: { fromImage: referenceName(named), tag, platform: opts.platform?.toLowerCase() },
      headers: { 'X-Registry-Auth': opts.registryAuth ?? 'e30=' },
      signal: opts.signal,
    });
  }

    /** POST /images/{name}/push: resolves with the JSON progress stream (no tag pushes every local tag). */
  imagePush(name: string, opts: { tag?: string; platform?: string; registryAuth?: string; signal?: AbortSignal } = {}): Promise<IncomingMessage> {
    // the API takes the platform as OCI JSON
    const [os = '', architecture, variant] = (opts.platform ?? '').toLowerCase().split('/');
    const platform = opts.platform ? JSON.stringify({ os, ...(architecture ? { architecture } : {}), ...(variant ? { variant } : {}) }) : undefined;
    return this.request(`/images/${enc(name)}/push`, {
      method: 'POST', query: { tag: opts.tag, platform }, headers: { 'X-Registry-Auth': opts.registryAuth ?? 'e30=' }, signal: opts.signal,
    });
  }

  /** POST /auth: check credentials with a registry. */
  registryLogin(auth: { username?: string; password?: string; serveraddress?: string; identitytoken?: string }): Promise<{ Status: string; IdentityToken?: string }> {
    return this.json('/auth', { method: 'POST', body: auth });
  }

  /** GET /images/search. */
  imageSearch(term: string, opts: { limit?: number; filters?: FilterArgs; registryAuth?: string } = {}): Promise<Array<{ name: string; description: string; star_count: number; is_official: boolean; is_automated: boolean }>> {
    return this.json('/images/search', {
      query: { term, limit: opts.limit || undefined, filters: filtersParam(opts.filters) },
      headers: opts.registryAuth ? { 'X-Registry-Auth': opts.registryAuth } : {},
    });
  }

  /**
   * POST /images/create?fromSrc=: import a rootfs tarball from `source` ("-" with a body
   * stream, or a URL the daemon fetches). Resolves with the JSON progress stream.
   */
  imageImport(opts: { source: string; body?: Readable; repo?: string; tag?: string; message?: string; changes?: string[]; platform?: string; signal?: AbortSignal }): Promise<IncomingMessage> {
    return this.request('/images/create', {
      method: 'POST',
      query: { fromSrc: opts.source, repo: opts.repo, tag: opts.tag, message: opts.message, platform: opts.platform?.toLowerCase(), changes: opts.changes },
      body: opts.body,
      signal: opts.signal,
    });
  }

  /** POST /build with a context tar (or a remote URL in the query); resolves with the JSON message stream. */
  imageBuild(body: Readable | undefined, query: Record<string, QueryValue>, opts: { signal?: AbortSignal } = {}): Promise<IncomingMessage> {
    return this.request('/build', { method: 'POST', query, body, headers: body ? { 'Content-Type': 'application/x-tar' } : undefined, signal: opts.signal });
  }

  /** POST /images/load with a tar stream; resolves with the (JSON) response stream. */
  imageLoad(body: Readable, opts: { quiet?: boolean; platforms?: string[]; signal?: AbortSignal } = {}): Promise<IncomingMessage> {
    return this.request('/images/load', {
      method: 'POST', query: { quiet: opts.quiet ? '1' : '0', platform: opts.platforms }, body,
      headers: { 'Content-Type': 'application/x-tar' }, signal: opts.signal,
    });
  }

  /** GET /images/get?names=...: a tar stream of the images. */
  imageSave(names: string[], opts: { platforms?: string[]; signal?: AbortSignal } = {}): Promise<IncomingMessage> {
    return this.request('/images/get', { query: { names, platform: opts.platforms }, signal: opts.signal });
  }

  // ---- networks and volumes (for `inspect`) -------------------------------------------

  async networkInspectRaw(id: string): Promise<{ raw: string; value: Network }> {
    const raw = await this.text(`/networks/${enc(id)}`);
    return { raw, value: JSON.parse(raw) as Network };
  }

  async pluginInspectRaw(name: string): Promise<{ raw: string; value: Record<string, unknown> }> {
    const raw = await this.text(`/plugins/${enc(name)}/json`);
    return { raw, value: JSON.parse(raw) as Record<string, unknown> };
  }

  volumeCreate(opts: VolumeCreateOptions): Promise<Volume> {
    return this.json('/volumes/create', { method: 'POST', body: opts });
  }

  volumeList(filters?: FilterArgs): Promise<VolumeListResponse> {
    return this.json('/volumes', { query: { filters: filtersParam(filters) } });
  }

  async volumeRemove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    (await this.request(`/volumes/${enc(name)}`, { method: 'DELETE', query: { force: opts.force } })).resume();
  }

  volumePrune(filters?: FilterArgs): Promise<VolumePruneResponse> {
    return this.json('/volumes/prune', { method: 'POST', query: { filters: filtersParam(filters) } });
  }

  async volumeInspectRaw(name: string): Promise<{ raw: string; value: Record<string, unknown> }> {
    const raw = await this.text(`/volumes/${enc(name)}`);
    return { raw, value: JSON.parse(raw) as Record<string, unknown> };
  }
}

/** Read a response to its end: only then is its socket back in the pool, for the next request to reuse. */
function drained(res: IncomingMessage): Promise<void> {
  if (res.readableEnded) return Promise.resolve();
  return new Promise((resolve, reject) => {
    res.once('end', resolve).once('error', reject).resume();
  });
}
