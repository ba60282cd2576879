import { mkdtemp, rename, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { Channel, InvalidArgumentError, isEngineError } from '../../base/index.js';
import { fileType, readFileInRoot, S_IFDIR, ScopedDir } from '../../host/index.js';
import { applyLayer, decompressStream, type FileDigest } from '../../image/index.js';
import { BUILD_SECRETS_DIR, canSkipDir, isIgnored, readIgnoreFile, type IgnorePattern } from '../../oci/index.js';
import { readDockerfile } from '../../dockerfile/index.js';
import type { BuildCache, BuildEngine, BuildMessage, StepHost } from './engine.js';
import { BuildMemo, MemoRecorder } from './build-memo.js';
import { runBuild } from './executor.js';
import { BuildStepError } from './run-step.js';

/** A build as `POST /build` asks for it. */
export interface BuildRequest {
  /** The context as a tar (plain or compressed), or a URL to fetch it from. */
  context: Readable | { remote: string };
  /** The Dockerfile's path inside the context. */
  dockerfile: string;
  tags: string[];
  buildArgs: ReadonlyMap<string, string | null>;
  target?: string;
  noCache: boolean;
  /** Images whose history serves as the cache (`--cache-from`). */
  cacheFrom: string[];
  pull: boolean;
  quiet: boolean;
  labels: Record<string, string>;
  rm: boolean;
  host: StepHost;
  platform?: string;
  signal?: AbortSignal;
}

const MAX_DOCKERFILE = 4 * 1024 * 1024;
/** Contexts up to this size are read whole before they are unpacked, so that a fully cached rebuild can be replayed (build-memo.ts). */
const MEMO_MAX_CONTEXT = 1024 * 1024;

export interface BuildServiceDeps {
  engine: BuildEngine;
  cache: BuildCache;
  /** Where contexts are unpacked while their build runs. */
  tmpRoot: string;
  /** Fetches a remote context (`remote=` URL). */
  fetchRemote(url: string, signal?: AbortSignal): Promise<Readable>;
}

/** Builds images from Dockerfiles: unpacks the context, runs the build, streams its messages. */
export class BuildService {
  private readonly memo = new BuildMemo();
  constructor(private readonly d: BuildServiceDeps) {}

  build(req: BuildRequest): AsyncIterable<BuildMessage> {
    const out = new Channel<BuildMessage>();
    const emit = (m: BuildMessage): void => {
      if (req.quiet && 'stream' in m) return;
      out.push(m);
    };
    void this.run(req, emit).then(
      (id) => {
        if (req.quiet) out.push({ stream: `${id}\n` });
        out.close();
      },
      (e: unknown) => {
        const message = isEngineError(e) ? e.message : `berth build failed: ${(e as Error)?.message ?? String(e)}`;
        out.push({ error: message, errorDetail: { message, ...(e instanceof BuildStepError ? { code: e.code } : {}) } });
        out.close();
      },
    );
    return out;
  }

  private async run(req: BuildRequest, emit: (m: BuildMessage) => void): Promise<string> {
    const source = 'remote' in req.context ? await this.d.fetchRemote(req.context.remote, req.signal) : req.context;
    let context = source as AsyncIterable<Buffer>;
    let memoKey: string | undefined;
    // What a pull, --no-cache or --cache-from decides is not the cache's alone: no replay then.
    if (!('remote' in req.context) && !req.noCache && !req.pull && req.cacheFrom.length === 0) {
      const { head, rest } = await readHead(context, MEMO_MAX_CONTEXT);
      if (!rest) {
        memoKey = BuildMemo.key(memoRequest(req), head);
        const replayed = await this.memo.replay(memoKey, { engine: this.d.engine, cache: this.d.cache, emit });
        if (replayed) return replayed;
      }
      context = joined(head, rest);
    }
    const recorder = memoKey === undefined ? undefined : new MemoRecorder(this.d.engine, this.d.cache);
    const dir = await mkdtemp(join(this.d.tmpRoot, 'context-'));
    try {
      const { stream } = await decompressStream(context, { signal: req.signal });
      // Each file's digest is taken as it is unpacked, so a COPY's cache key need not read it again.
      const digests = new Map<string, FileDigest>();
      await applyLayer(stream, { target: dir, signal: req.signal, digests });
      const secrets = await takeSecrets(dir, `${dir}.secrets`);
      const dockerfilePath = posix.normalize(`/${req.dockerfile || 'Dockerfile'}`).slice(1);
      const text = await readFileInRoot(dir, dockerfilePath, { maxBytes: MAX_DOCKERFILE + 1 });
      if (text === undefined) throw new InvalidArgumentError(`Cannot locate specified Dockerfile: ${req.dockerfile || 'Dockerfile'}`);
      if (text.length > MAX_DOCKERFILE) throw new InvalidArgumentError(`Dockerfile ${req.dockerfile} is larger than ${MAX_DOCKERFILE} bytes`);
      await applyIgnoreFile(dir, dockerfilePath);
      const dockerfile = readDockerfile(text.toString('utf8'));
      const out = recorder ? (m: BuildMessage): void => { recorder.emit(m); emit(m); } : emit;
      for (const w of dockerfile.parsed.warnings) out({ stream: `${w}\n` });
      const id = await runBuild({
        dockerfile, contextDir: dir, contextDigests: digests, tags: req.tags, buildArgs: req.buildArgs, target: req.target, noCache: req.noCache,
        pull: req.pull, cacheFrom: req.cacheFrom, labels: req.labels, rm: req.rm, host: req.host, platform: req.platform, secrets,
        engine: recorder?.engine ?? this.d.engine, cache: recorder?.cache ?? this.d.cache, signal: req.signal,
        emit: out, onRemoteSource: recorder?.remote,
      });
      const entry = recorder?.entry(id);
      if (memoKey !== undefined && entry) this.memo.remember(memoKey, entry);
      return id;
    } finally {
      // Not waited for: the client has its answer once the image is tagged (start-up sweeps what a crash leaves).
      void Promise.all([rm(dir, { recursive: true, force: true }), rm(`${dir}.secrets`, { recursive: true, force: true })]).catch(() => {});
    }
  }
}

/** The request's fields that shape a build's steps and messages (quiet only filters them). */
function memoRequest(req: BuildRequest): unknown {
  return [req.dockerfile, req.tags, [...req.buildArgs], req.target ?? '', req.labels, req.rm, req.host, req.platform ?? ''];
}

/** Up to a little over `max` bytes of a stream; `rest` is the iterator still to read when it has more. */
async function readHead(source: AsyncIterable<Buffer>, max: number): Promise<{ head: Buffer[]; rest?: AsyncIterator<Buffer> }> {
  const it = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  while (size <= max) {
    const r = await it.next();
    if (r.done) return { head };
    head.push(r.value);
    size += r.value.length;
  }
  return { head, rest: it };
}

async function* joined(head: Buffer[], rest: AsyncIterator<Buffer> | undefined): AsyncGenerator<Buffer> {
  yield* head;
  if (!rest) return;
  for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
}

/**
 * Moves the secrets `berth build --secret` sent out of the context, so that no COPY can take
 * them; RUN --mount=type=secret binds them from there.
 */
async function takeSecrets(contextDir: string, secretsDir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const dir = ScopedDir.open(contextDir);
  let names: string[];
  try {
    const st = dir.lstat(BUILD_SECRETS_DIR);
    if (!st || fileType(st.mode) !== S_IFDIR) return out;
    names = dir.readdir(BUILD_SECRETS_DIR);
  } finally {
    dir.close();
  }
  await rename(join(contextDir, BUILD_SECRETS_DIR), secretsDir);
  for (const name of names) out.set(name, join(secretsDir, name));
  return out;
}

/**
 * Drops what `.dockerignore` (or `<Dockerfile>.dockerignore` beside the Dockerfile) excludes:
 * the docker CLI filters before it sends (keeping the Dockerfile and the ignore file, which
 * moby then drops when the patterns match them), a remote context arrives whole.
 */
async function applyIgnoreFile(dir: string, dockerfilePath: string): Promise<void> {
  const specific = await readFileInRoot(dir, `${dockerfilePath}.dockerignore`, { maxBytes: 1 << 20 });
  const text = specific ?? await readFileInRoot(dir, '.dockerignore', { maxBytes: 1 << 20 });
  if (!text) return;
  const patterns = readIgnoreFile(text.toString('utf8'));
  const scoped = ScopedDir.open(dir, { writer: true });
  try {
    removeIgnored(scoped, '', patterns);
  } finally {
    scoped.close();
  }
}

function removeIgnored(dir: ScopedDir, rel: string, patterns: readonly IgnorePattern[]): void {
  for (const name of dir.readdir(rel)) {
    const child = rel ? `${rel}/${name}` : name;
    const st = dir.lstat(child);
    if (!st) continue;
    const isDir = fileType(st.mode) === S_IFDIR;
    if (isDir && canSkipDir(patterns, child)) dir.remove(child);
    else if (isDir) removeIgnored(dir, child, patterns);
    else if (isIgnored(patterns, child)) dir.remove(child);
  }
}
