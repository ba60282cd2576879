import { parseGoDuration } from '../base/index.js';
import { parseJsonArray, splitWhitespace, splitWordsKeepingQuotes } from './args.js';
import { DockerfileError } from './errors.js';
import { nodeFromLine, type Heredoc, type InstructionNode } from './parser.js';

/** A command in exec form (`json`) or shell form (one string, run through SHELL). */
export interface CommandLine { args: string[]; json: boolean }

/** `name=value` as written: quotes are removed by word expansion when the step runs. */
export interface KeyValue { key: string; value: string }

export interface RunMount { [option: string]: string }

export type Instruction = { node: InstructionNode } & (
  | { kind: 'from'; image: string; stageName?: string; platform?: string }
  | { kind: 'run'; command: CommandLine; mounts: string[]; network?: string; security?: string; heredocs: Heredoc[] }
  | { kind: 'cmd' | 'entrypoint'; command: CommandLine }
  | { kind: 'shell'; shell: string[] }
  | { kind: 'env' | 'label'; pairs: KeyValue[] }
  | { kind: 'maintainer'; name: string }
  | { kind: 'expose'; ports: string[] }
  | { kind: 'copy' | 'add'; sources: string[]; dest: string; heredocs: Heredoc[]; from?: string; chown?: string; chmod?: string; link: boolean; parents: boolean; exclude: string[]; checksum?: string; keepGitDir?: boolean }
  | { kind: 'volume'; paths: string[] }
  | { kind: 'user'; user: string }
  | { kind: 'workdir'; path: string }
  | { kind: 'arg'; args: Array<{ name: string; value?: string }> }
  | { kind: 'onbuild'; trigger: string }
  | { kind: 'stopsignal'; signal: string }
  | { kind: 'healthcheck'; test: string[]; interval?: number; timeout?: number; startPeriod?: number; startInterval?: number; retries?: number }
);

type FlagKind = 'string' | 'bool' | 'list';
type FlagValues = Map<string, string | boolean | string[]>;

const FLAGS: Record<string, Record<string, FlagKind>> = {
  from: { platform: 'string' },
  run: { mount: 'list', network: 'string', security: 'string' },
  copy: { from: 'string', chown: 'string', chmod: 'string', link: 'bool', parents: 'bool', exclude: 'list' },
  add: { chown: 'string', chmod: 'string', link: 'bool', checksum: 'string', 'keep-git-dir': 'bool', exclude: 'list' },
  healthcheck: { interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string' },
};

export const INSTRUCTION_NAMES = [
  'add', 'arg', 'cmd', 'copy', 'entrypoint', 'env', 'expose', 'from', 'healthcheck', 'label', 'maintainer',
  'onbuild', 'run', 'shell', 'stopsignal', 'user', 'volume', 'workdir',
] as const;

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

/** Interprets one node's arguments; errors name the instruction's line. */
export function parseInstruction(node: InstructionNode, escape = '\\'): Instruction {
  try {
    return interpret(node, escape);
  } catch (e) {
    if (e instanceof DockerfileError && e.line === undefined) throw new DockerfileError(e.detail, node.startLine);
    throw e;
  }
}

/** One instruction from a line of text (ONBUILD triggers, --label): no heredocs, no continuations. */
export function instructionFromLine(text: string, lineNo: number, escape = '\\'): Instruction {
  return parseInstruction(nodeFromLine(text, lineNo), escape);
}

function interpret(node: InstructionNode, escape: string): Instruction {
  const upper = node.keyword.toUpperCase();
  if (!(INSTRUCTION_NAMES as readonly string[]).includes(node.keyword)) throw new DockerfileError(`unknown instruction: ${upper}`);
  const flags = parseFlags(node);
  const rest = node.rest;
  switch (node.keyword) {
    case 'from': {
      const words = splitWhitespace(rest);
      if (words.length !== 1 && !(words.length === 3 && words[1]!.toLowerCase() === 'as')) {
        throw new DockerfileError('FROM requires either one or three arguments');
      }
      const stageName = words[2]?.toLowerCase();
      if (stageName !== undefined && !STAGE_NAME.test(stageName)) {
        throw new DockerfileError(`invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`);
      }
      return { node, kind: 'from', image: words[0]!, stageName, platform: flags.get('platform') as string | undefined };
    }
    case 'run': {
      const command = commandLine(rest, node.heredocs);
      if (command.args.length === 0) throw new DockerfileError('RUN requires at least one argument');
      return {
        node, kind: 'run', command, mounts: (flags.get('mount') as string[] | undefined) ?? [],
        network: flags.get('network') as string | undefined, security: flags.get('security') as string | undefined, heredocs: node.heredocs,
      };
    }
    case 'cmd':
    case 'entrypoint':
      return { node, kind: node.keyword, command: commandLine(rest, []) };
    case 'shell': {
      const shell = parseJsonArray(rest);
      if (!shell) throw new DockerfileError('SHELL requires the arguments to be in JSON form');
      if (shell.length === 0) throw new DockerfileError('SHELL requires at least one argument');
      return { node, kind: 'shell', shell };
    }
    case 'env':
    case 'label':
      return { node, kind: node.keyword, pairs: nameValues(upper, rest, escape) };
    case 'maintainer':
      if (!rest) throw new DockerfileError('MAINTAINER requires exactly one argument');
      return { node, kind: 'maintainer', name: rest };
    case 'expose': {
      const ports = splitWhitespace(rest);
      if (ports.length === 0) throw new DockerfileError('EXPOSE requires at least one argument');
      return { node, kind: 'expose', ports };
    }
    case 'copy':
    case 'add': {
      const list = parseJsonArray(rest) ?? splitWhitespace(rest);
      const needed = node.heredocs.length > 0 ? 1 : 2;
      if (list.length < needed) {
        throw new DockerfileError(`${upper} requires at least two arguments, but only one was provided. Destination could not be determined.`);
      }
      if (flags.get('keep-git-dir') === true) throw new DockerfileError('ADD --keep-git-dir is only for git sources, which berth does not fetch');
      const heredocNames = new Set(node.heredocs.map((h) => h.name));
      const sources = list.slice(0, -1).filter((s) => !isHeredocWord(s, heredocNames));
      return {
        node, kind: node.keyword, sources, dest: list[list.length - 1]!, heredocs: node.heredocs,
        from: flags.get('from') as string | undefined, chown: flags.get('chown') as string | undefined,
        chmod: flags.get('chmod') as string | undefined, link: flags.get('link') === true, parents: flags.get('parents') === true,
        exclude: (flags.get('exclude') as string[] | undefined) ?? [], checksum: flags.get('checksum') as string | undefined,
      };
    }
    case 'volume': {
      const paths = (parseJsonArray(rest) ?? splitWhitespace(rest)).filter((p) => p.trim() !== '');
      if (paths.length === 0) throw new DockerfileError('VOLUME requires at least one argument');
      return { node, kind: 'volume', paths };
    }
    case 'user':
      if (!rest) throw new DockerfileError('USER requires exactly one argument');
      return { node, kind: 'user', user: rest };
    case 'workdir':
      if (!rest) throw new DockerfileError('WORKDIR requires exactly one argument');
      return { node, kind: 'workdir', path: rest };
    case 'arg': {
      const words = splitWordsKeepingQuotes(rest, escape);
      if (words.length === 0) throw new DockerfileError('ARG requires at least one argument');
      return {
        node, kind: 'arg',
        args: words.map((w) => {
          const eq = w.indexOf('=');
          const name = eq < 0 ? w : w.slice(0, eq);
          if (name === '') throw new DockerfileError(`ARG names can not be blank`);
          return eq < 0 ? { name } : { name, value: w.slice(eq + 1) };
        }),
      };
    }
    case 'onbuild': {
      if (!rest) throw new DockerfileError('ONBUILD requires at least one argument');
      const trigger = nodeFromLine(rest, node.startLine).keyword;
      if (trigger === 'onbuild') throw new DockerfileError('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      if (trigger === 'from' || trigger === 'maintainer') throw new DockerfileError(`${trigger.toUpperCase()} isn't allowed as an ONBUILD trigger`);
      parseInstruction({ ...nodeFromLine(rest, node.startLine) }, escape);
      return { node, kind: 'onbuild', trigger: rest };
    }
    case 'stopsignal':
      if (!rest || /\s/.test(rest)) throw new DockerfileError('STOPSIGNAL requires exactly one argument');
      return { node, kind: 'stopsignal', signal: rest };
    case 'healthcheck':
      return { node, kind: 'healthcheck', ...healthcheck(rest, flags) };
  }
  throw new DockerfileError(`unknown instruction: ${upper}`);
}

function commandLine(rest: string, heredocs: Heredoc[]): CommandLine {
  const json = parseJsonArray(rest);
  if (json) return { args: json, json: true };
  if (rest === '' && heredocs.length === 0) return { args: [], json: false };
  return { args: [rest], json: false };
}

function isHeredocWord(word: string, names: Set<string>): boolean {
  const m = /^<<-?["']?([^"'<]*)["']?$/.exec(word);
  return m !== null && names.has(m[1]!);
}

/** ENV and LABEL: `key value` (the old form: one pair) or `key=value ...`. */
function nameValues(upper: string, rest: string, escape: string): KeyValue[] {
  const words = splitWordsKeepingQuotes(rest, escape);
  if (words.length === 0) throw new DockerfileError(`${upper} requires at least one argument`);
  if (!words[0]!.includes('=')) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(rest.trim());
    if (!m || m[2]!.trim() === '') throw new DockerfileError(`${upper} must have two arguments`);
    return [{ key: m[1]!, value: m[2]! }];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) throw new DockerfileError(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    if (eq === 0) throw new DockerfileError(`${upper} names can not be blank`);
    return { key: w.slice(0, eq), value: w.slice(eq + 1) };
  });
}

function healthcheck(rest: string, flags: FlagValues): Omit<Extract<Instruction, { kind: 'healthcheck' }>, 'node' | 'kind'> {
  const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(rest.trim());
  if (!m) throw new DockerfileError('HEALTHCHECK requires an argument');
  const type = m[1]!.toUpperCase();
  const args = m[2]?.trim() ?? '';
  if (type === 'NONE') {
    if (args || flags.size > 0) throw new DockerfileError('HEALTHCHECK NONE takes no arguments');
    return { test: ['NONE'] };
  }
  if (type !== 'CMD') throw new DockerfileError(`Unknown type "${type}" in HEALTHCHECK (try CMD)`);
  const cmd = commandLine(args, []);
  if (cmd.args.length === 0) throw new DockerfileError('Missing command after HEALTHCHECK CMD');
  const duration = (name: string): number | undefined => {
    const v = flags.get(name) as string | undefined;
    if (v === undefined || v === '') return undefined;
    const ms = parseGoDuration(v);
    if (ms !== 0 && ms < 1) throw new DockerfileError(`Interval "${name}" cannot be less than 1ms`);
    if (ms < 0) throw new DockerfileError(`Interval "${name}" cannot be negative`);
    return ms * 1e6;
  };
  const retriesRaw = flags.get('retries') as string | undefined;
  const retries = retriesRaw === undefined ? undefined : Number(retriesRaw);
  if (retries !== undefined && (!Number.isInteger(retries) || retries < 0)) throw new DockerfileError('--retries cannot be negative');
  return {
    test: cmd.json ? ['CMD', ...cmd.args] : ['CMD-SHELL', cmd.args[0]!],
    interval: duration('interval'), timeout: duration('timeout'), startPeriod: duration('start-period'),
    startInterval: duration('start-interval'), retries,
  };
}

function parseFlags(node: InstructionNode): FlagValues {
  const allowed = FLAGS[node.keyword] ?? {};
  const values: FlagValues = new Map();
  for (const raw of node.flags) {
    const body = raw.replace(/^--/, '');
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const kind = allowed[name];
    if (!kind) throw new DockerfileError(`unknown flag: ${name}`);
    if (kind === 'bool') {
      const v = eq < 0 ? 'true' : body.slice(eq + 1).toLowerCase();
      if (v !== 'true' && v !== 'false') throw new DockerfileError(`expecting boolean value for flag ${name}, not: ${body.slice(eq + 1)}`);
      values.set(name, v === 'true');
      continue;
    }
    if (eq < 0) throw new DockerfileError(`missing a value on flag: ${name}`);
    const value = body.slice(eq + 1);
    if (kind === 'list') {
      values.set(name, [...((values.get(name) as string[] | undefined) ?? []), value]);
    } else {
      if (values.has(name)) throw new DockerfileError(`duplicate flag specified: ${name}`);
      values.set(name, value);
    }
  }
  return values;
}
