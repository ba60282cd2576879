import { createHash } from 'node:crypto';
import { InvalidArgumentError, NotFoundError, shortId } from '../../base/index.js';
import type { FileDigest } from '../../image/index.js';
import { familiarString, parseNormalizedNamed, tagNameOnly, type ImageRuntimeConfig } from '../../oci/index.js';
import {
  DockerfileError, expandWord, instructionFromLine, targetStage,
  type Dockerfile, type Instruction, type Stage,
} from '../../dockerfile/index.js';
import { BuildArgs, PREDEFINED_ARGS } from './build-args.js';
import type { BaseImage, BuildCache, BuildEngine, BuildMessage, StepHost } from './engine.js';
import { applyMetadata, commandArgs, isMetadata, wordEnv, type StageConfig } from '../../dockerfile/index.js';
import { CacheSources } from './cache-sources.js';
import { runCopy, type CopyContext } from './copy-step.js';
import { runCommand } from './run-step.js';
import { parseRunMount, resolveRunMounts } from './run-mounts.js';

export interface BuildOptions {
  dockerfile: Dockerfile;
  /** The build context on disk (already filtered by .dockerignore). */
  contextDir: string;
  /** Content digests of the context's files, taken as they were unpacked (relative path → digest). */
  contextDigests?: ReadonlyMap<string, FileDigest>;
  tags: string[];
  buildArgs: ReadonlyMap<string, string | null>;
  target?: string;
  noCache: boolean;
  /** `--cache-from`: images whose history serves as the cache (then local hits count only when they lead to one). */
  cacheFrom?: string[];
  pull: boolean;
  labels: Record<string, string>;
  /** Remove intermediate containers (default true). */
  rm: boolean;
  host: StepHost;
  platform?: string;
  /** RUN --mount=type=secret sources: id → a file the daemon holds for this build. */
  secrets?: ReadonlyMap<string, string>;
  /** Told when a step's result comes from outside the context and the images (an ADD from a URL). */
  onRemoteSource?: () => void;
  engine: BuildEngine;
  cache: BuildCache;
  emit(msg: BuildMessage): void;
  signal?: AbortSignal;
}

/** A stage's state while it runs. */
interface StageRun {
  stage: Stage;
  imageId: string;
  cfg: StageConfig;
  /** Build args in this stage's scope (declared by ARG). */
  args: Map<string, string>;
}


/**
 * Runs a parsed Dockerfile as the classic builder does: each step makes an image (or finds it in
 * the cache), RUN and COPY steps through a container. Only the stages the target needs run;
 * independent stages run side by side. Resolves with the final image's ID.
 */
export async function runBuild(o: BuildOptions): Promise<string> {
  const df = o.dockerfile;
  const escape = df.parsed.directives.escape;
  const args = new BuildArgs(o.buildArgs, escape);
  const meta = args.metaScope(df.metaArgs);
  const target = targetStage(df, o.target);
  if (Object.keys(o.labels).length > 0) {
    const text = `LABEL ${Object.entries(o.labels).map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ')}`;
    target.instructions = [...target.instructions, instructionFromLine(text, target.from.node.endLine, escape)];
  }
  const needed = neededStages(df, target, meta, escape);
  const total = needed.reduce((n, s) => n + 1 + s.instructions.length, 0);
  const numbers = new Map<Instruction, number>();
  let n = 0;
  for (const s of needed) {
    numbers.set(s.from, ++n);
    for (const i of s.instructions) numbers.set(i, ++n);
  }
  const step = (i: Instruction): void => o.emit({ stream: `Step ${numbers.get(i)}/${total} : ${i.node.original}\n` });

  const sources = new CacheSources(await cacheSourceImages(o));
  const results = new Map<number, Promise<string>>();
  const stageResult = (index: number): Promise<string> => {
    let p = results.get(index);
    if (!p) {
      p = runStage(df.stages[index]!);
      results.set(index, p);
      p.catch(() => {});
    }
    return p;
  };

  const runStage = async (stage: Stage): Promise<string> => {
    // Stages that do not need each other run side by side.
    await Promise.all(stageDeps(df, stage, meta, escape).map(stageResult));
    step(stage.from);
    const base = await resolveBase(stage, meta);
    const run: StageRun = {
      stage, imageId: base.id,
      cfg: { config: structuredClone(base.config.config ?? {}), cmdSet: false },
      args: new Map(),
    };
    o.emit({ stream: ` ---> ${base.id ? shortId(base.id) : 'scratch'}\n` });
    const triggers = run.cfg.config.OnBuild ?? [];
    if (triggers.length > 0) {
      o.emit({ stream: `# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n` });
      run.cfg.config.OnBuild = [];
      for (const t of triggers) await dispatch(run, instructionFromLine(t, stage.from.node.startLine, escape), { trigger: true });
    }
    for (const ins of stage.instructions) {
      o.signal?.throwIfAborted();
      step(ins);
      await dispatch(run, ins, { trigger: false });
    }
    if (!run.imageId) throw new InvalidArgumentError('No image was generated. Is your Dockerfile empty?');
    return run.imageId;
  };

  const resolveBase = async (stage: Stage, scope: Map<string, string>): Promise<BaseImage> => {
    const ref = expandWord(stage.from.image, scope, { escape }).value;
    if (ref === '') throw new DockerfileError('base name (' + stage.from.image + ') should not be blank', stage.from.node.startLine);
    const earlier = df.stages.find((s) => s.index < stage.index && s.name === ref.toLowerCase());
    if (earlier) {
      const id = await stageResult(earlier.index);
      return o.engine.image(id, { pull: 'never', signal: o.signal });
    }
    if (ref.toLowerCase() === 'scratch') return { id: '', config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } } };
    const platform = stage.from.platform ? expandWord(stage.from.platform, scope, { escape }).value : o.platform;
    return o.engine.image(ref, { pull: o.pull ? 'always' : 'missing', platform, signal: o.signal, progress: (line) => o.emit({ stream: line }) });
  };

  /** Commits (or finds in the cache) the image a step makes. */
  const commitStep = async (run: StageRun, createdBy: string, make: () => Promise<string>, keyExtra = ''): Promise<void> => {
    const key = cacheKey(run.imageId, createdBy, run.cfg, keyExtra);
    const cached = o.noCache ? undefined : await cachedStep(run, key, createdBy);
    if (cached) {
      o.emit({ stream: ' ---> Using cache\n' });
      run.imageId = cached;
    } else {
      run.imageId = await make();
      await o.cache.set(key, run.imageId);
    }
    o.emit({ stream: ` ---> ${shortId(run.imageId)}\n` });
  };

  /** A step's image from the local cache or a `--cache-from` source, as dockerd's image cache picks it. */
  const cachedStep = async (run: StageRun, key: string, createdBy: string): Promise<string | undefined> => {
    const local = await o.cache.get(key);
    if (!sources.active) return local;
    const parentOf = async (id: string): Promise<string | undefined> => (await o.engine.image(id, { pull: 'never' })).parent || undefined;
    if (local && await sources.covers(local, parentOf)) return local;
    const parent = run.imageId ? (await o.engine.image(run.imageId, { pull: 'never' })).config : undefined;
    const hit = sources.match(parent, createdBy);
    if (!hit) return undefined;
    if (hit.kind === 'image') return hit.id;
    return o.engine.imageFromHistory({ parent: run.imageId || undefined, source: hit.source.id, index: hit.index, config: run.cfg.config });
  };

  const metadataImage = (run: StageRun, createdBy: string): Promise<void> => commitStep(run, createdBy, () => o.engine.commit({
    parent: run.imageId || undefined, config: run.cfg.config, author: run.cfg.author, createdBy, signal: o.signal,
  }));

  /** What a `--from` names: an earlier stage's result, or an image (pulled when missing). */
  const imageFor = async (ref: string, run: StageRun, line: number): Promise<string> => {
    const named = df.stages.find((s) => s.name === ref.toLowerCase() || String(s.index) === ref);
    if (named) {
      if (named.index >= run.stage.index) throw new DockerfileError(`invalid from flag value ${ref}: refers to current build stage`, line);
      return stageResult(named.index);
    }
    return (await o.engine.image(ref, { pull: o.pull ? 'always' : 'missing', signal: o.signal, progress: (l) => o.emit({ stream: l }) })).id;
  };

  const dispatch = async (run: StageRun, ins: Instruction, _: { trigger: boolean }): Promise<void> => {
    const env = wordEnv(run.cfg.config, new Map([...args.predefined(), ...run.args]));
    if (ins.kind === 'arg') {
      const parts: string[] = [];
      for (const arg of ins.args) {
        args.declare(run.args, arg, env, meta);
        parts.push(arg.value === undefined ? arg.name : `${arg.name}=${expandWord(arg.value, env, { escape }).value}`);
      }
      return metadataImage(run, nop(`ARG ${parts.join(' ')}`, run.cfg.config));
    }
    if (isMetadata(ins)) {
      const { state, comment } = applyMetadata(run.cfg, ins, { env, escape });
      run.cfg = state;
      return metadataImage(run, nop(comment, run.cfg.config));
    }
    if (ins.kind === 'run') {
      const specs = ins.mounts.map((m) => parseRunMount(expandWord(m, env, { escape }).value, run.cfg.config.WorkingDir ?? '/', ins.node.startLine));
      const runArgs = [...run.args].filter(([k]) => !envHas(run.cfg.config, k));
      const predefined = [...args.predefined()].filter(([k]) => !run.args.has(k) && !envHas(run.cfg.config, k));
      const argv = commandFor(ins, run.cfg.config);
      const recorded = runArgs.filter(([k]) => !PREDEFINED_ARGS.has(k)).map(([k, v]) => `${k}=${v}`);
      const createdBy = `${recorded.length ? `|${recorded.length} ${recorded.join(' ')} ` : ''}${argv.join(' ')}`;
      const network = ins.network ? expandWord(ins.network, env, { escape }).value : undefined;
      if (network !== undefined && !['default', 'none', 'host'].includes(network)) throw new DockerfileError(`unsupported network mode "${network}": default, none or host`, ins.node.startLine);
      const keyExtra = JSON.stringify([specs, network ?? '']);
      return commitStep(run, createdBy, async () => {
        const resolved = await resolveRunMounts(specs, {
          engine: o.engine, contextDir: o.contextDir, secrets: o.secrets ?? new Map(), line: ins.node.startLine,
          imageFor: (ref) => imageFor(ref, run, ins.node.startLine),
        });
        try {
          return await runCommand({
            engine: o.engine, imageId: run.imageId, config: run.cfg.config, author: run.cfg.author, argv, createdBy,
            env: [...runArgs, ...predefined].map(([k, v]) => `${k}=${v}`),
            host: { ...o.host, ...(network && network !== 'default' ? { networkMode: network } : {}), ...(resolved.mounts.length ? { mounts: resolved.mounts } : {}) },
            rm: o.rm, emit: o.emit, signal: o.signal,
          });
        } finally {
          await resolved.release();
        }
      }, keyExtra);
    }
    if (ins.kind === 'copy' || ins.kind === 'add') {
      const ctx: CopyContext = {
        engine: o.engine, contextDir: o.contextDir, contextDigests: o.contextDigests, env, escape, emit: o.emit, signal: o.signal, rm: o.rm,
        onRemoteSource: o.onRemoteSource, stageImage: (ref) => imageFor(ref, run, ins.node.startLine),
      };
      try {
        const plan = await runCopy(ctx, ins, run);
        try {
          return await commitStep(run, plan.createdBy, plan.commit);
        } finally {
          await plan.release();
        }
      } catch (e) {
        // What the sources held (an unreadable archive, say) is named with the step's line.
        if (e instanceof InvalidArgumentError && !(e instanceof DockerfileError)) throw new DockerfileError(`${ins.kind.toUpperCase()} failed: ${e.message}`, ins.node.startLine);
        throw e;
      }
    }
    if (ins.kind === 'from') throw new DockerfileError('FROM inside a stage', ins.node.startLine);
  };

  const finalId = await stageResult(target.index);
  // Stages started but not needed by the target do not exist; wait for every started one.
  await Promise.allSettled([...results.values()]);
  const warning = args.unusedWarning();
  if (warning) o.emit({ stream: warning });
  o.emit({ aux: { ID: finalId } });
  o.emit({ stream: `Successfully built ${shortId(finalId)}\n` });
  for (const tag of o.tags) {
    await o.engine.tag(finalId, tag);
    o.emit({ stream: `Successfully tagged ${familiarString(tagNameOnly(parseNormalizedNamed(tag)))}\n` });
  }
  return finalId;
}

/** The `--cache-from` images there are; missing ones are skipped, as dockerd does. */
async function cacheSourceImages(o: BuildOptions): Promise<BaseImage[]> {
  const found: BaseImage[] = [];
  for (const ref of o.noCache ? [] : o.cacheFrom ?? []) {
    try {
      found.push(await o.engine.image(ref, { pull: 'never', signal: o.signal }));
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
  return found;
}

function envHas(config: ImageRuntimeConfig, key: string): boolean {
  return (config.Env ?? []).some((e) => e.split('=')[0] === key);
}

/** moby's `#(nop) ` history comment for a metadata step, behind the stage's shell. */
function nop(comment: string, config: ImageRuntimeConfig): string {
  return `${(config.Shell?.length ? config.Shell : ['/bin/sh', '-c']).join(' ')} #(nop)  ${comment}`;
}

/** The argv of a RUN step; heredocs go to the shell as the text it reads them from. */
function commandFor(ins: Extract<Instruction, { kind: 'run' }>, config: ImageRuntimeConfig): string[] {
  if (ins.heredocs.length === 0 || ins.command.json) return commandArgs(ins.command, config);
  const line = ins.command.args[0] ?? '';
  const only = ins.heredocs.length === 1 && /^<<-?["']?[^\s"']+["']?$/.test(line.trim());
  if (only) {
    const body = ins.heredocs[0]!.content;
    if (!body.startsWith('#!')) return commandArgs({ args: [body], json: false }, config);
    // A script with its own interpreter runs as a file, as BuildKit does it.
    const script = `f=$(mktemp) && cat > "$f" <<'BERTH_HEREDOC_END'\n${body}BERTH_HEREDOC_END\nchmod 700 "$f" && "$f"; rc=$?; rm -f "$f"; exit $rc`;
    return ['/bin/sh', '-c', script];
  }
  const text = [line, ...ins.heredocs.map((h) => `${h.content}${h.name}`)].join('\n');
  return commandArgs({ args: [text], json: false }, config);
}

function cacheKey(parent: string, createdBy: string, cfg: StageConfig, extra: string): string {
  return createHash('sha256').update(JSON.stringify([parent, createdBy, canonical(cfg.config), cfg.author ?? '', extra])).digest('hex');
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

/** Stage indexes a stage needs first: its FROM and its COPY --from sources. */
function stageDeps(df: Dockerfile, stage: Stage, meta: Map<string, string>, escape: string): number[] {
  const deps = new Set<number>();
  const byRef = (ref: string): void => {
    const s = df.stages.find((x) => x.index < stage.index && (x.name === ref.toLowerCase() || String(x.index) === ref));
    if (s) deps.add(s.index);
  };
  const fromRef = expandWord(stage.from.image, meta, { escape }).value;
  const named = df.stages.find((x) => x.index < stage.index && x.name === fromRef.toLowerCase());
  if (named) deps.add(named.index);
  for (const ins of stage.instructions) if (ins.kind === 'copy' && ins.from) byRef(ins.from);
  return [...deps];
}

function neededStages(df: Dockerfile, target: Stage, meta: Map<string, string>, escape: string): Stage[] {
  const need = new Set<number>();
  const visit = (s: Stage): void => {
    if (need.has(s.index)) return;
    need.add(s.index);
    for (const d of stageDeps(df, s, meta, escape)) visit(df.stages[d]!);
  };
  visit(target);
  return df.stages.filter((s) => need.has(s.index));
}
