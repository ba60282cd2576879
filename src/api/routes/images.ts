import type { Readable, Writable } from 'node:stream';
import { InvalidArgumentError, boolParam, parseFilters, type Filters } from '../../base/index.js';
import type { HistoryEntry, LoadEvent } from '../../image/index.js';
import type { HistoryResponseItem } from '../types/index.js';
import { compareVersions, json, type Reply, type RequestContext, type Router } from '../server/index.js';
import { toImageInspect, toImageSummary, type ImageView } from './image-wire.js';

export type { ImageView };
export type ImageHistoryView = HistoryEntry;

export type RemoveItem = { Untagged?: string; Deleted?: string };

export interface ImageBackend {
  list(opts: { all?: boolean; filters?: Filters }): Promise<ImageView[]>;
  get(ref: string): ImageView;
  history(ref: string): ImageHistoryView[] | Promise<ImageHistoryView[]>;
  tag(source: string, target: string): Promise<void>;
  remove(ref: string, opts: { force?: boolean; noPrune?: boolean; inUse: (imageId: string) => { id: string; running: boolean } | undefined }): Promise<RemoveItem[]>;
  prune(opts: { all?: boolean; filters?: Filters; inUse: (imageId: string) => boolean }): Promise<{ deleted: RemoveItem[]; spaceReclaimed: number }>;
  importTar(src: Readable, opts: { repoTag?: string; changes?: string[]; message?: string; platform?: string }): Promise<ImageView>;
  load(src: Readable, opts: { quiet?: boolean; signal?: AbortSignal }): AsyncIterable<LoadEvent>;
  inspect(ref: string): ImageView & { lastTagTime: string };
  save(refs: string[], out: Writable, opts?: { signal?: AbortSignal }): Promise<void>;
}

export interface ImageUsage {
  /** A container using the image, if any; a running one cannot be overridden by force. */
  containerUsing(imageId: string): { id: string; running: boolean } | undefined;
  containerCount(imageId: string): number;
  /** Resolves once removed containers have released their layers (their teardown runs after the reply). */
  settled(): Promise<void>;
}

/** Fetches `docker import`'s URL source. */
export type UrlFetcher = (url: string, signal: AbortSignal) => Promise<Readable>;

const LIST_FILTERS = ['before', 'dangling', 'label', 'reference', 'since', 'until'];
const PRUNE_FILTERS = ['dangling', 'label', 'label!', 'until'];

/** A pull (`/images/create?fromImage=`), answered by the distribution routes. */
export type PullHandler = (ctx: RequestContext) => Promise<Reply>;

export function imageRoutes(r: Router, images: ImageBackend, usage: ImageUsage, fetchUrl: UrlFetcher, pull: PullHandler): void {
  r.get('/images/json', async (ctx) => {
    const filters = parseFilters(ctx.query.get('filters'), LIST_FILTERS);
    // API 1.24 clients name the repository glob in `filter`, as dockerd still accepts from them.
    const legacy = ctx.query.get('filter');
    if (legacy && compareVersions(ctx.version, '1.25') < 0 && !filters.has('reference')) filters.set('reference', new Set([legacy]));
    const list = await images.list({ all: boolParam(ctx.query.get('all')), filters });
    return json(list.map((img) => toImageSummary(img, usage.containerCount(img.id), ctx.version)));
  });

  r.post('/images/create', async (ctx) => {
    const q = ctx.query;
    const fromSrc = q.get('fromSrc');
    if (fromSrc === null) return pull(ctx);
    const repo = q.get('repo') ?? '';
    const tag = q.get('tag') ?? '';
    const repoTag = repo ? (tag ? `${repo}:${tag}` : repo) : undefined;
    // As dockerd: a source without a scheme is fetched over http, and the comment names the source as given.
    const src: Readable = fromSrc === '-' ? ctx.req : await fetchUrl(fromSrc.includes('://') ? fromSrc : `http://${fromSrc}`, ctx.signal);
    const changes = q.getAll('changes');
    const message = q.get('message') || `Imported from ${fromSrc}`;
    const platform = q.get('platform') ?? undefined;
    const img = await images.importTar(src, {
      ...(repoTag ? { repoTag } : {}), changes, message, ...(platform ? { platform } : {}),
    });
    return json({ status: img.id });
  });

  r.post('/images/load', (ctx) => ({
    kind: 'json-stream',
    events: loadMessages(images.load(ctx.req, { quiet: boolParam(ctx.query.get('quiet')), signal: ctx.signal })),
  }));

  r.get('/images/get', async (ctx) => save(ctx.query.getAll('names')));

  r.post('/images/prune', async (ctx) => {
    const filters = parseFilters(ctx.query.get('filters'), PRUNE_FILTERS);
    const dangling = filters.get('dangling');
    const all = dangling ? [...dangling].some((v) => v === 'false' || v === '0') : false;
    await usage.settled();
    const res = await images.prune({ all, filters, inUse: (id) => usage.containerUsing(id) !== undefined });
    return json({ ImagesDeleted: res.deleted.length ? res.deleted : null, SpaceReclaimed: res.spaceReclaimed });
  });

  r.get('/images/{name*}/json', (ctx) => json(toImageInspect(images.inspect(ctx.params.name!), ctx.version)));

  r.get('/images/{name*}/history', async (ctx) => {
    const items: HistoryResponseItem[] = (await images.history(ctx.params.name!)).map((h) => ({
      Id: h.id, Created: h.created, CreatedBy: h.createdBy,
      Tags: h.tags.length ? h.tags : null, Size: h.size, Comment: h.comment,
    }) as HistoryResponseItem);
    return json(items);
  });

  r.get('/images/{name*}/get', async (ctx) => save([ctx.params.name!]));

  r.post('/images/{name*}/tag', async (ctx) => {
    const repo = ctx.query.get('repo');
    if (!repo) throw new InvalidArgumentError('repository name must have at least one component');
    const tag = ctx.query.get('tag');
    await images.tag(ctx.params.name!, tag ? `${repo}:${tag}` : repo);
    return { kind: 'empty', status: 201 };
  });

  r.delete('/images/{name*}', async (ctx) => {
    await usage.settled();
    const items = await images.remove(ctx.params.name!, {
      force: boolParam(ctx.query.get('force')),
      noPrune: boolParam(ctx.query.get('noprune')),
      inUse: (id) => usage.containerUsing(id),
    });
    return json(items);
  });

  function save(names: string[]): Reply {
    if (names.length === 0) throw new InvalidArgumentError('no images specified');
    for (const n of names) images.get(n);
    return { kind: 'stream', contentType: 'application/x-tar', body: (sink, signal) => images.save(names, sink, { signal }) };
  }
}

/** Load progress as Docker's JSON messages. */
async function* loadMessages(events: AsyncIterable<LoadEvent>): AsyncIterable<unknown> {
  for await (const e of events) {
    if (e.type === 'message') yield { stream: e.text.endsWith('\n') ? e.text : `${e.text}\n` };
    else yield { status: e.status, progressDetail: { current: e.current, total: e.total }, id: e.id };
  }
}
