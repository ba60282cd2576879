import { boolParam, InvalidArgumentError } from '../../base/index.js';
import type { ContainerFiles, PathStat } from '../../container/index.js';
import type { ImageRuntimeConfig } from '../../oci/index.js';
import { json, type RequestContext, type Router } from '../server/index.js';

export type ContainerFilesBackend = Pick<ContainerFiles, 'changes' | 'statPath' | 'archivePath' | 'extract' | 'commit'>;

const STAT_HEADER = 'X-Docker-Container-Path-Stat';
const KIND = { C: 0, A: 1, D: 2 } as const;

/** The stat header: base64 (Go's URLEncoding, padded) of the stat's JSON. */
export function encodePathStat(s: PathStat): string {
  const b = Buffer.from(JSON.stringify({ name: s.name, size: s.size, mode: s.mode, mtime: s.mtime, linkTarget: s.linkTarget })).toString('base64url');
  return b + '='.repeat((4 - (b.length % 4)) % 4);
}

function pathParam(ctx: RequestContext): string {
  const path = ctx.query.get('path');
  if (!path) throw new InvalidArgumentError('no path specified');
  return path;
}

/** cp (GET/HEAD/PUT /containers/{id}/archive), diff (GET /containers/{id}/changes) and POST /commit. */
export function containerFileRoutes(r: Router, files: ContainerFilesBackend): void {
  r.get('/containers/{id}/changes', async (ctx) => {
    const changes = await files.changes(ctx.params.id!, ctx.signal);
    // dockerd answers null when the layer holds no change
    return json(changes.length ? changes.map((c) => ({ Path: c.path, Kind: KIND[c.kind] })) : null);
  });

  r.head('/containers/{id}/archive', async (ctx) => {
    const stat = await files.statPath(ctx.params.id!, pathParam(ctx));
    return { kind: 'empty', status: 200, headers: { [STAT_HEADER]: encodePathStat(stat), 'Content-Type': 'application/json' } };
  });

  r.get('/containers/{id}/archive', async (ctx) => {
    const { stat, tar } = await files.archivePath(ctx.params.id!, pathParam(ctx));
    ctx.signal.addEventListener('abort', () => tar.destroy(), { once: true });
    return { kind: 'stream', contentType: 'application/x-tar', headers: { [STAT_HEADER]: encodePathStat(stat) }, body: tar };
  });

  r.put('/containers/{id}/archive', async (ctx) => {
    const q = ctx.query;
    await files.extract(ctx.params.id!, pathParam(ctx), ctx.req, {
      noOverwriteDirNonDir: boolParam(q.get('noOverwriteDirNonDir')), copyUIDGID: boolParam(q.get('copyUIDGID')), signal: ctx.signal,
    });
    return { kind: 'text', status: 200, body: '' };
  });

  r.post('/commit', async (ctx) => {
    const q = ctx.query;
    const body = await ctx.body<unknown>();
    if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) throw new InvalidArgumentError('invalid JSON: the commit config must be an object');
    const repo = q.get('repo') ?? '';
    const tag = q.get('tag') ?? '';
    const repoTag = repo ? (tag ? `${repo}:${tag}` : repo) : undefined;
    const pauseParam = q.get('pause');
    const id = await files.commit({
      ref: q.get('container') ?? '',
      ...(repoTag ? { repoTag } : {}),
      ...(q.get('comment') ? { comment: q.get('comment')! } : {}),
      ...(q.get('author') ? { author: q.get('author')! } : {}),
      // API 1.13 on: pausing is the default
      pause: pauseParam === null || pauseParam === '' ? true : boolParam(pauseParam),
      changes: q.getAll('changes'),
      ...(body ? { config: commitConfig(body as Record<string, unknown>) } : {}),
      signal: ctx.signal,
    });
    return json({ Id: id }, 201);
  });
}

const STRING_LISTS = ['Env', 'Cmd', 'Entrypoint', 'OnBuild', 'Shell'];
const STRING_MAPS = ['Labels'];
const OBJECT_MAPS = ['ExposedPorts', 'Volumes'];
const STRINGS = ['Hostname', 'Domainname', 'User', 'Image', 'WorkingDir', 'StopSignal'];

/** POST /commit's body: a container Config, its fields checked as Go's decoder would type them. */
function commitConfig(b: Record<string, unknown>): ImageRuntimeConfig {
  const bad = (k: string, want: string): InvalidArgumentError => new InvalidArgumentError(`json: cannot unmarshal ${JSON.stringify(b[k])} into Go struct field Config.${k} of type ${want}`);
  for (const k of STRING_LISTS) {
    const v = b[k];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) throw bad(k, '[]string');
  }
  for (const k of [...STRING_MAPS, ...OBJECT_MAPS]) {
    const v = b[k];
    if (v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v))) throw bad(k, 'map');
    if (STRING_MAPS.includes(k) && v && Object.values(v).some((x) => typeof x !== 'string')) throw bad(k, 'map[string]string');
  }
  for (const k of STRINGS) {
    if (b[k] !== undefined && b[k] !== null && typeof b[k] !== 'string') throw bad(k, 'string');
  }
  if (b.Healthcheck !== undefined && b.Healthcheck !== null && (typeof b.Healthcheck !== 'object' || Array.isArray(b.Healthcheck))) throw bad('Healthcheck', 'container.HealthConfig');
  return b as ImageRuntimeConfig;
}
