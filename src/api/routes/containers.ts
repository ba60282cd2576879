import { InvalidArgumentError, boolParam, parseFilters, parseTimeValue } from '../../base/index.js';
import type { ContainerRecord, ContainerService, CreateRequest, WaitCondition } from '../../container/index.js';
import { linkNamesBySource } from '../../container/index.js';
import { decodeContainerCreate, intQuery, type ContainerCreateRequest } from '../types/index.js';
import { parseSignal } from '../../oci/index.js';
import { empty, frame, json, type RequestContext, type Router } from '../server/index.js';
import { attachReply } from './attach.js';
import { toContainerInspect, toContainerSummary } from './container-wire.js';

export type ContainerBackend = Pick<ContainerService,
  'get' | 'list' | 'create' | 'start' | 'stop' | 'kill' | 'restart' | 'wait' | 'remove' | 'rename' | 'prune'
  | 'logs' | 'attach' | 'resize' | 'export' | 'sizeRw' | 'logPath' | 'filePath' | 'execIds'>;

export interface ContainerPaths {
  rootfsDir(id: string): string;
  upperDir(id: string): string;
  workDir(id: string): string;
  /** Bytes of the image's layers, for SizeRootFs. */
  imageSize(imageId: string): number;
}

const LIST_FILTERS = ['ancestor', 'before', 'expose', 'exited', 'health', 'id', 'isolation', 'is-task', 'label', 'name', 'network', 'publish', 'since', 'status', 'volume'];
const PRUNE_FILTERS = ['until', 'label', 'label!'];

export function containerRoutes(r: Router, c: ContainerBackend, paths: ContainerPaths, opts: { experimental: boolean } = { experimental: false }): void {
  r.get('/containers/json', async (ctx) => {
    const q = ctx.query;
    const filters = parseFilters(q.get('filters'), LIST_FILTERS);
    const limit = intQuery(q, 'limit') || undefined;
    const recs = c.list({ all: boolParam(q.get('all')), ...(limit ? { limit } : {}), filters });
    const size = boolParam(q.get('size'));
    // a link's source is also listed under "/receiver/alias", as dockerd does
    const linkNames = linkNamesBySource(c.list({ all: true }));
    const rows = await Promise.all(recs.map(async (rec) => toContainerSummary(rec, {
      imageName: rec.config.Image, linkNames: linkNames.get(rec.name) ?? [],
      ...(size ? await sizes(rec) : {}),
    })));
    return json(rows);
  });

  r.post('/containers/create', async (ctx) => {
    const body = await ctx.body(decodeContainerCreate);
    if (!body) throw new InvalidArgumentError('config cannot be empty in order to create a container');
    const { HostConfig: hostConfig, NetworkingConfig: net, ...config } = body;
    checkEndpoints(net);
    const mac = requestedMac(config.MacAddress, net);
    if (mac) config.MacAddress = mac;
    const name = ctx.query.get('name') ?? undefined;
    const req: CreateRequest = {
      config: config as CreateRequest['config'], hostConfig: (hostConfig ?? {}) as CreateRequest['hostConfig'], ...(name ? { name } : {}),
      ...(net?.EndpointsConfig ? { networkingConfig: { EndpointsConfig: net.EndpointsConfig } as NonNullable<CreateRequest['networkingConfig']> } : {}),
    };
    const { id, warnings } = await c.create(req);
    return json({ Id: id, Warnings: warnings }, 201);
  });

  r.get('/containers/{id}/json', async (ctx) => {
    const rec = c.get(ctx.params.id!);
    return json(inspect(rec, ctx.version, boolParam(ctx.query.get('size')) ? await sizes(rec) : undefined));
  });

  r.post('/containers/{id}/start', async (ctx) => {
    const checkpoint = ctx.query.get('checkpoint') || undefined;
    const checkpointDir = ctx.query.get('checkpoint-dir') || undefined;
    if (checkpoint && !opts.experimental) throw new InvalidArgumentError('checkpoint is only supported in experimental mode');
    await c.start(ctx.params.id!, { ...(checkpoint ? { checkpoint } : {}), ...(checkpointDir ? { checkpointDir } : {}) });
    return empty();
  });

  r.post('/containers/{id}/stop', async (ctx) => {
    await c.stop(ctx.params.id!, stopOptions(ctx));
    return empty();
  });

  r.post('/containers/{id}/restart', async (ctx) => {
    await c.restart(ctx.params.id!, stopOptions(ctx));
    return empty();
  });

  r.post('/containers/{id}/kill', async (ctx) => {
    const signal = ctx.query.get('signal') || 'SIGKILL';
    parseSignal(signal);
    await c.kill(ctx.params.id!, signal);
    return empty();
  });

  r.post('/containers/{id}/wait', async (ctx) => {
    const condition = (ctx.query.get('condition') || 'not-running') as WaitCondition;
    if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw new InvalidArgumentError(`invalid condition: "${condition}"`);
    const result = c.wait(ctx.params.id!, condition, ctx.signal)
      .catch((e: unknown) => ({ StatusCode: -1, Error: { Message: e instanceof Error ? e.message : String(e) } }));
    async function* body(): AsyncIterable<Uint8Array> {
      yield Buffer.from(JSON.stringify(await result) + '\n');
    }
    // Headers go out at once so that the client knows the wait is registered before it starts the container.
    return { kind: 'stream', contentType: 'application/json', body: body() };
  });

  r.delete('/containers/{id}', async (ctx) => {
    await c.remove(ctx.params.id!, { force: boolParam(ctx.query.get('force')), volumes: boolParam(ctx.query.get('v')) });
    return empty();
  });

  r.post('/containers/{id}/rename', async (ctx) => {
    await c.rename(ctx.params.id!, ctx.query.get('name') ?? '');
    return empty();
  });

  r.post('/containers/{id}/resize', async (ctx) => {
    const height = intQuery(ctx.query, 'h', { required: true });
    const width = intQuery(ctx.query, 'w', { required: true });
    await c.resize(ctx.params.id!, { height, width });
    return { kind: 'text', status: 200, body: '' };
  });

  r.post('/containers/prune', async (ctx) => {
    const { deleted, spaceReclaimed } = await c.prune(parseFilters(ctx.query.get('filters'), PRUNE_FILTERS));
    return json({ ContainersDeleted: deleted, SpaceReclaimed: spaceReclaimed });
  });

  r.get('/containers/{id}/export', async (ctx) => {
    const tar = await c.export(ctx.params.id!);
    return { kind: 'stream', contentType: 'application/x-tar', body: tar };
  });

  r.get('/containers/{id}/logs', async (ctx) => {
    const q = ctx.query;
    const rec = c.get(ctx.params.id!);
    const stdout = boolParam(q.get('stdout'));
    const stderr = boolParam(q.get('stderr'));
    if (!stdout && !stderr) throw new InvalidArgumentError('Bad parameters: you must choose at least one stream');
    const tailRaw = q.get('tail');
    const tail = tailRaw && tailRaw !== 'all' ? Number(tailRaw) : undefined;
    if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) throw new InvalidArgumentError(`invalid value for "tail": "${tailRaw}"`);
    const since = parseTime(q.get('since'));
    const until = parseTime(q.get('until'));
    const timestamps = boolParam(q.get('timestamps'));
    const entries = c.logs(rec.id, {
      follow: boolParam(q.get('follow')), stdout, stderr, signal: ctx.signal,
      ...(tail !== undefined ? { tail } : {}), ...(since ? { since } : {}), ...(until ? { until } : {}),
    });
    const tty = rec.config.Tty;
    async function* body(): AsyncIterable<Uint8Array> {
      for await (const e of entries) {
        const line = timestamps ? Buffer.concat([Buffer.from(`${e.time} `), e.line]) : e.line;
        yield tty ? line : frame(e.stream === 'stdout' ? 1 : 2, line);
      }
    }
    return {
      kind: 'stream',
      contentType: tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream',
      body: body(),
    };
  });

  r.post('/containers/{id}/attach', (ctx) => attachReply(ctx, c));

  async function sizes(rec: ContainerRecord): Promise<{ sizeRw: number; sizeRootFs: number }> {
    const sizeRw = await c.sizeRw(rec).catch(() => 0);
    let image = 0;
    try { image = paths.imageSize(rec.imageId); } catch { /* image removed with -f: its layers are still held */ }
    return { sizeRw, sizeRootFs: sizeRw + image };
  }

  function inspect(rec: ContainerRecord, version: string, size?: { sizeRw: number; sizeRootFs: number }): unknown {
    return toContainerInspect(rec, {
      root: paths.rootfsDir(rec.id), upper: paths.upperDir(rec.id), work: paths.workDir(rec.id),
      hostname: c.filePath(rec, 'hostname'), hosts: c.filePath(rec, 'hosts'), resolvConf: c.filePath(rec, 'resolv.conf'),
      log: c.logPath(rec), execIds: c.execIds(rec.id), ...(size ?? {}),
    }, version);
  }
}

/**
 * The MAC address a create asks for: Config.MacAddress (API < 1.44) or, since 1.44, the one
 * endpoint's EndpointSettings.MacAddress; in Go's lowercase colon form.
 */
function requestedMac(legacy: string | undefined, net: ContainerCreateRequest['NetworkingConfig']): string | undefined {
  const fromEndpoint = Object.values(net?.EndpointsConfig ?? {}).map((e) => e?.MacAddress).find((m) => m);
  const mac = fromEndpoint || legacy;
  if (!mac) return undefined;
  if (!/^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i.test(mac)) throw new InvalidArgumentError(`address ${mac}: invalid MAC address`);
  return mac.toLowerCase().replace(/-/g, ':');
}

/**
 * Endpoint settings that only user-defined networks honour are refused on the predefined ones,
 * with dockerd's wording, rather than dropped.
 */
function checkEndpoints(net: ContainerCreateRequest['NetworkingConfig']): void {
  for (const [name, ep] of Object.entries(net?.EndpointsConfig ?? {})) {
    const predefined = ['', 'default', 'bridge', 'host', 'none'].includes(name) || name.startsWith('container:');
    if (!predefined || !ep) continue;
    const errs: string[] = [];
    if (ep.IPAMConfig?.IPv4Address || ep.IPAMConfig?.IPv6Address) errs.push('user-specified IP address is supported on user-defined networks only');
    if (ep.Aliases?.length) errs.push('network-scoped aliases are only supported for user-defined networks');
    if (errs.length === 1) throw new InvalidArgumentError(`invalid endpoint settings:\n${errs[0]}`);
    if (errs.length > 1) throw new InvalidArgumentError(`invalid endpoint settings:\n* ${errs.join('\n* ')}`);
  }
}

function stopOptions(ctx: RequestContext): { timeoutSec?: number; signal?: string } {
  const t = ctx.query.get('t');
  const signal = ctx.query.get('signal');
  if (t !== null && !/^-?\d+$/.test(t)) throw new InvalidArgumentError(`invalid value for "t": "${t}"`);
  if (signal) parseSignal(signal);
  return { ...(t !== null ? { timeoutSec: Number(t) } : {}), ...(signal ? { signal } : {}) };
}

function parseTime(v: string | null): Date | undefined {
  if (!v || v === '0') return undefined;
  return new Date(parseTimeValue(v));
}

