import type { Duplex, Readable } from 'node:stream';
import { InvalidArgumentError, boolParam, parseFilters, parseTimeValue } from '../../base/index.js';
import type { ContainerRecord, ContainerService, CreateRequest, WaitCondition } from '../../container/index.js';
import type { ContainerCreateRequest } from '../types/index.js';
import { empty, json, type RequestContext, type Router } from '../server/index.js';
import { toContainerInspect, toContainerSummary } from './container-wire.js';
import { frame } from './stream-frames.js';

export type ContainerBackend = Pick<ContainerService,
  'get' | 'list' | 'create' | 'start' | 'stop' | 'kill' | 'restart' | 'wait' | 'remove' | 'rename' | 'prune'
  | 'logs' | 'attach' | 'resize' | 'export' | 'sizeRw' | 'logPath' | 'filePath'>;

export interface ContainerPaths {
  rootfsDir(id: string): string;
  upperDir(id: string): string;
  /** Bytes of the image's layers, for SizeRootFs. */
  imageSize(imageId: string): number;
}

const LIST_FILTERS = ['ancestor', 'before', 'expose', 'exited', 'health', 'id', 'isolation', 'is-task', 'label', 'name', 'network', 'publish', 'since', 'status', 'volume'];
const PRUNE_FILTERS = ['until', 'label', 'label!'];

export function containerRoutes(r: Router, c: ContainerBackend, paths: ContainerPaths): void {
  r.get('/containers/json', async (ctx) => {
    const q = ctx.query;
    const filters = parseFilters(q.get('filters'), LIST_FILTERS);
    const limit = Number(q.get('limit') ?? 0) || undefined;
    const recs = c.list({ all: boolParam(q.get('all')), ...(limit ? { limit } : {}), filters });
    const size = boolParam(q.get('size'));
    const rows = await Promise.all(recs.map(async (rec) => toContainerSummary(rec, {
      imageName: rec.config.Image,
      ...(size ? await sizes(rec) : {}),
    })));
    return json(rows);
  });

  r.post('/containers/create', async (ctx) => {
    const body = await ctx.body<ContainerCreateRequest>();
    if (!body) throw new InvalidArgumentError('config cannot be empty in order to create a container');
    const { HostConfig: hostConfig, NetworkingConfig: _net, ...config } = body;
    const name = ctx.query.get('name') ?? undefined;
    const req: CreateRequest = { config: config as CreateRequest['config'], hostConfig: (hostConfig ?? {}) as CreateRequest['hostConfig'], ...(name ? { name } : {}) };
    const { id, warnings } = await c.create(req);
    return json({ Id: id, Warnings: warnings }, 201);
  });

  r.get('/containers/{id}/json', async (ctx) => {
    const rec = c.get(ctx.params.id!);
    return json(inspect(rec, boolParam(ctx.query.get('size')) ? await sizes(rec) : undefined));
  });

  r.post('/containers/{id}/start', async (ctx) => {
    await c.start(ctx.params.id!);
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
    await c.kill(ctx.params.id!, ctx.query.get('signal') || 'SIGKILL');
    return empty();
  });

  r.post('/containers/{id}/wait', async (ctx) => {
    const condition = (ctx.query.get('condition') || 'not-running') as WaitCondition;
    if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw new InvalidArgumentError(`invalid condition: "${condition}"`);
    const result = c.wait(ctx.params.id!, condition, ctx.signal);
    // Headers go out at once so that the client knows the wait is registered before it starts the container.
    ctx.res!.writeHead(200, { 'Content-Type': 'application/json' });
    ctx.res!.flushHeaders();
    const r2 = await result.catch((e: unknown) => ({ StatusCode: -1, Error: { Message: e instanceof Error ? e.message : String(e) } }));
    ctx.res!.end(JSON.stringify(r2) + '\n');
    return { kind: 'hijacked' };
  });

  r.delete('/containers/{id}', async (ctx) => {
    await c.remove(ctx.params.id!, { force: boolParam(ctx.query.get('force')) });
    return empty();
  });

  r.post('/containers/{id}/rename', async (ctx) => {
    await c.rename(ctx.params.id!, ctx.query.get('name') ?? '');
    return empty();
  });

  r.post('/containers/{id}/resize', async (ctx) => {
    const height = Number(ctx.query.get('h'));
    const width = Number(ctx.query.get('w'));
    if (!Number.isInteger(height) || !Number.isInteger(width)) throw new InvalidArgumentError('invalid resize request: h and w must be integers');
    await c.resize(ctx.params.id!, { height, width });
    return { kind: 'text', status: 200, body: '' };
  });

  r.post('/containers/prune', async (ctx) => {
    const { deleted, spaceReclaimed } = await c.prune(parseFilters(ctx.query.get('filters'), PRUNE_FILTERS));
    return json({ ContainersDeleted: deleted, SpaceReclaimed: spaceReclaimed });
  });

  r.get('/containers/{id}/export', async (ctx) => {
    const tar = await c.export(ctx.params.id!);
    return { kind: 'raw-stream', contentType: 'application/x-tar', body: tar };
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
      kind: 'raw-stream',
      contentType: tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream',
      body: body(),
    };
  });

  r.post('/containers/{id}/attach', async (ctx) => {
    const q = ctx.query;
    const wantStdin = boolParam(q.get('stdin'));
    const wantStdout = boolParam(q.get('stdout'));
    const wantStderr = boolParam(q.get('stderr'));
    if (!boolParam(q.get('stream')) && !boolParam(q.get('logs'))) throw new InvalidArgumentError('Bad parameters: you must choose at least one stream');
    const rec0 = c.get(ctx.params.id!);
    const tty = rec0.config.Tty;
    // Answer first: the client starts the container only once the attach is established.
    const sock = ctx.hijack(tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream');
    const abort = new AbortController();
    sock.once('close', () => abort.abort());
    let streams;
    try {
      ({ streams } = await c.attach(rec0.id, { stdin: wantStdin && rec0.config.OpenStdin, signal: abort.signal }));
    } catch {
      sock.destroy();
      return { kind: 'hijacked' };
    }
    pump(sock, streams, { tty, stdout: wantStdout, stderr: wantStderr, stdin: wantStdin && rec0.config.OpenStdin, stdinOnce: rec0.config.StdinOnce });
    return { kind: 'hijacked' };
  });

  async function sizes(rec: ContainerRecord): Promise<{ sizeRw: number; sizeRootFs: number }> {
    const sizeRw = await c.sizeRw(rec).catch(() => 0);
    let image = 0;
    try { image = paths.imageSize(rec.imageId); } catch { /* image removed with -f: its layers are still held */ }
    return { sizeRw, sizeRootFs: sizeRw + image };
  }

  function inspect(rec: ContainerRecord, size?: { sizeRw: number; sizeRootFs: number }): unknown {
    return toContainerInspect(rec, {
      root: paths.rootfsDir(rec.id), upper: paths.upperDir(rec.id),
      hostname: c.filePath(rec, 'hostname'), hosts: c.filePath(rec, 'hosts'), resolvConf: c.filePath(rec, 'resolv.conf'),
      log: c.logPath(rec), ...(size ?? {}),
    });
  }
}

/** Copy container output to the client (framed unless TTY) and client input to the container. */
function pump(sock: Duplex, s: { stdout: Readable; stderr: Readable; stdin?: NodeJS.WritableStream; close(): void }, o: { tty: boolean; stdout: boolean; stderr: boolean; stdin: boolean; stdinOnce: boolean }): void {
  let open = 2;
  const done = (): void => { if (--open === 0) sock.end(); };
  const forward = (src: Readable, id: 1 | 2, wanted: boolean): void => {
    src.on('data', (b: Buffer) => { if (wanted && sock.writable) sock.write(o.tty ? b : frame(id, b)); });
    src.once('end', done);
    src.once('error', done);
  };
  forward(s.stdout, 1, o.stdout);
  forward(s.stderr, 2, o.stderr);
  if (o.stdin && s.stdin) {
    const stdin = s.stdin;
    sock.on('data', (b: Buffer) => stdin.write(b));
    sock.once('end', () => { if (o.stdinOnce) stdin.end(); });
  }
  sock.once('close', () => s.close());
  sock.on('error', () => s.close());
}

function stopOptions(ctx: RequestContext): { timeoutSec?: number; signal?: string } {
  const t = ctx.query.get('t');
  const signal = ctx.query.get('signal');
  if (t !== null && !/^-?\d+$/.test(t)) throw new InvalidArgumentError(`invalid value for "t": "${t}"`);
  return { ...(t !== null ? { timeoutSec: Number(t) } : {}), ...(signal ? { signal } : {}) };
}

function parseTime(v: string | null): Date | undefined {
  if (!v || v === '0') return undefined;
  return new Date(parseTimeValue(v));
}

