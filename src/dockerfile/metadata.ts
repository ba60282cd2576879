import { parseSignal, type ImageRuntimeConfig } from '../oci/index.js';
import { DockerfileError } from './errors.js';
import type { CommandLine, Instruction } from './instructions.js';
import { expandWord, expandWords, type BuildEnv } from './word-expansion.js';
import { formatGoDuration, goQuoteList } from './go-format.js';

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** What a stage carries between instructions. */
export interface StageConfig {
  config: ImageRuntimeConfig;
  /** The image's top-level author (MAINTAINER). */
  author?: string;
  /** CMD was set in this stage (an ENTRYPOINT then keeps it). */
  cmdSet: boolean;
}

/** A metadata instruction's effect: the new config and the history text moby writes. */
export interface MetadataResult {
  state: StageConfig;
  /** The comment after `#(nop) ` in `created_by`. */
  comment: string;
}

export type MetadataInstruction = Extract<Instruction, { kind: 'env' | 'label' | 'maintainer' | 'expose' | 'volume' | 'user' | 'workdir' | 'cmd' | 'entrypoint' | 'shell' | 'onbuild' | 'stopsignal' | 'healthcheck' }>;

export function isMetadata(i: Instruction): i is MetadataInstruction {
  return !['from', 'run', 'copy', 'add', 'arg'].includes(i.kind);
}

/** The environment a word sees: the config's Env, then the build args in scope. */
export function wordEnv(config: ImageRuntimeConfig, args: ReadonlyMap<string, string>): BuildEnv {
  const env = new Map(args);
  for (const e of config.Env ?? []) {
    const eq = e.indexOf('=');
    env.set(eq < 0 ? e : e.slice(0, eq), eq < 0 ? '' : e.slice(eq + 1));
  }
  return env;
}

/**
 * Applies ENV, LABEL, CMD... to a stage's config, as moby's classic builder does; `env` is what
 * word expansion sees, `escape` the Dockerfile's escape character.
 */
export function applyMetadata(prev: StageConfig, ins: MetadataInstruction, opts: { env: BuildEnv; escape: string }): MetadataResult {
  const config: ImageRuntimeConfig = structuredClone(prev.config);
  const state: StageConfig = { ...prev, config };
  const word = (s: string): string => expandWord(s, opts.env, { escape: opts.escape }).value;
  switch (ins.kind) {
    case 'env': {
      const env = [...(config.Env ?? [])];
      let comment = 'ENV';
      // Each pair sees the ones before it on the same line.
      let scope = new Map(opts.env);
      for (const pair of ins.pairs) {
        const key = expandWord(pair.key, scope, { escape: opts.escape }).value;
        const value = expandWord(pair.value, scope, { escape: opts.escape }).value;
        if (key === '') throw new DockerfileError('ENV names can not be blank', ins.node.startLine);
        const i = env.findIndex((e) => e.split('=')[0] === key);
        if (i >= 0) env[i] = `${key}=${value}`;
        else env.push(`${key}=${value}`);
        scope = new Map(scope).set(key, value);
        comment += ` ${key}=${value}`;
      }
      config.Env = env;
      return { state, comment };
    }
    case 'label': {
      const labels = { ...(config.Labels ?? {}) };
      let comment = 'LABEL';
      for (const pair of ins.pairs) {
        const key = word(pair.key);
        const value = word(pair.value);
        if (key === '') throw new DockerfileError('LABEL names can not be blank', ins.node.startLine);
        labels[key] = value;
        comment += ` ${key}=${value}`;
      }
      config.Labels = labels;
      return { state, comment };
    }
    case 'maintainer':
      state.author = ins.name;
      return { state, comment: `MAINTAINER ${ins.name}` };
    case 'expose': {
      const ports = { ...(config.ExposedPorts ?? {}) };
      const list: string[] = [];
      for (const raw of ins.ports.flatMap((p) => expandWords(p, opts.env, { escape: opts.escape }).words)) {
        for (const port of exposedPorts(raw, ins.node.startLine)) {
          ports[port] = {};
          list.push(port);
        }
      }
      config.ExposedPorts = ports;
      return { state, comment: `EXPOSE ${list.join(' ')}` };
    }
    case 'volume': {
      const volumes = { ...(config.Volumes ?? {}) };
      const paths = ins.paths.map((p) => word(p).trim());
      for (const p of paths) {
        if (p === '') throw new DockerfileError('VOLUME specified can not be an empty string', ins.node.startLine);
        volumes[p] = {};
      }
      config.Volumes = volumes;
      return { state, comment: `VOLUME [${paths.join(' ')}]` };
    }
    case 'user':
      config.User = word(ins.user);
      return { state, comment: `USER ${config.User}` };
    case 'workdir': {
      const dir = word(ins.path);
      config.WorkingDir = resolveWorkdir(config.WorkingDir, dir);
      return { state, comment: `WORKDIR ${config.WorkingDir}` };
    }
    case 'cmd':
      config.Cmd = commandArgs(ins.command, config);
      state.cmdSet = true;
      return { state, comment: `CMD ${goQuoteList(config.Cmd)}` };
    case 'entrypoint':
      config.Entrypoint = ins.command.json && ins.command.args.length === 0 ? null : commandArgs(ins.command, config);
      if (!state.cmdSet) config.Cmd = null;
      return { state, comment: `ENTRYPOINT ${goQuoteList(config.Entrypoint ?? [])}` };
    case 'shell':
      config.Shell = [...ins.shell];
      return { state, comment: `SHELL [${ins.shell.join(' ')}]` };
    case 'onbuild': {
      const m = /^(\S+)([\s\S]*)$/.exec(ins.trigger.trim())!;
      const trigger = `${m[1]!.toUpperCase()}${m[2]}`;
      config.OnBuild = [...(config.OnBuild ?? []), trigger];
      return { state, comment: `ONBUILD ${trigger}` };
    }
    case 'stopsignal': {
      const sig = word(ins.signal);
      parseSignal(sig);
      config.StopSignal = sig;
      return { state, comment: `STOPSIGNAL ${sig}` };
    }
    case 'healthcheck': {
      if (ins.test[0] === 'NONE') {
        config.Healthcheck = { Test: ['NONE'] };
      } else {
        config.Healthcheck = {
          Test: ins.test,
          ...(ins.interval ? { Interval: ins.interval } : {}),
          ...(ins.timeout ? { Timeout: ins.timeout } : {}),
          ...(ins.startPeriod ? { StartPeriod: ins.startPeriod } : {}),
          ...(ins.startInterval ? { StartInterval: ins.startInterval } : {}),
          ...(ins.retries ? { Retries: ins.retries } : {}),
        };
      }
      const h = config.Healthcheck;
      const d = (ns?: number): string => `"${formatGoDuration((ns ?? 0) / 1e6)}"`;
      const retries = `'\\x${(h.Retries ?? 0).toString(16).padStart(2, '0')}'`;
      return { state, comment: `HEALTHCHECK &{${goQuoteList(h.Test ?? [])} ${d(h.Interval)} ${d(h.Timeout)} ${d(h.StartPeriod)} ${d(h.StartInterval)} ${retries}}` };
    }
  }
}

/** A shell-form command runs through SHELL (or /bin/sh -c). */
export function commandArgs(command: CommandLine, config: ImageRuntimeConfig): string[] {
  if (command.json) return [...command.args];
  return [...(config.Shell && config.Shell.length > 0 ? config.Shell : DEFAULT_SHELL), ...command.args];
}

export function resolveWorkdir(current: string | undefined, dir: string): string {
  const joined = dir.startsWith('/') ? dir : `${current || '/'}/${dir}`;
  const parts: string[] = [];
  for (const seg of joined.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

/** `80`, `80/udp`, `8000-8002/tcp` → `80/tcp`...; ranges expanded as Docker's nat.ParsePortSpecs. */
export function exposedPorts(spec: string, line?: number): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/([A-Za-z]+))?$/.exec(spec);
  const proto = (m?.[3] ?? 'tcp').toLowerCase();
  const start = Number(m?.[1]);
  const end = m?.[2] === undefined ? start : Number(m[2]);
  if (!m || !['tcp', 'udp', 'sctp'].includes(proto) || start < 0 || end > 65535 || end < start) {
    throw new DockerfileError(`invalid containerPort: ${spec}`, line);
  }
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto}`);
  return out;
}
