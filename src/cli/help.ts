import { BIN } from './cli.js';
import type { CommandSpec } from './command.js';
import { flagUsages } from './flags/index.js';
import type { FlagSet } from './flags/index.js';

/** Width the "Options:" block wraps to: the terminal on stdin, else 80 (as docker). */
export function helpWidth(): number {
  // docker asks the terminal on stdin; Node only knows the size of output streams.
  if (!process.stdin.isTTY) return 79;
  return (process.stdout.columns ?? process.stderr.columns ?? 80) - 1;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export interface ServerFeatures {
  /** Negotiated API version */
  apiVersion: string;
  experimental: boolean;
  /** "" when unknown */
  osType: string;
}

/** Hide flags the daemon cannot use, as docker's hideUnsupportedFeatures does before help. */
export function hideUnsupportedFlags(fs: FlagSet, server: ServerFeatures): void {
  const older = (a: string, b: string): boolean => {
    const pa = a.split('.').map(Number);
    const pb = b.split('.').map(Number);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) < (pb[i] ?? 0);
    return false;
  };
  for (const f of fs.sorted()) {
    if (f.hidden) continue;
    const a = f.annotations;
    if ('experimental' in a && !server.experimental) f.hidden = true;
    else if (a.ostype && server.osType !== '' && a.ostype !== server.osType) f.hidden = true;
    else if (a.version && older(server.apiVersion, a.version)) f.hidden = true;
  }
}

/** "berth container ls [OPTIONS]" */
export function useLine(path: string, spec: CommandSpec): string {
  if (spec.children) return path;
  return spec.use ? `${path} ${spec.use}` : path;
}

/** Lines of docker's usage template for a leaf command. */
export function leafHelp(path: string, parentPath: string, spec: CommandSpec, fs: FlagSet | undefined): string {
  let out = `Usage:  ${useLine(path, spec)}\n\n${spec.short}\n`;
  if (spec.aliasesLine) out += `\nAliases:\n  ${spec.aliasesLine}\n`;
  else if (spec.aliases && spec.aliases.length > 0) {
    out += `\nAliases:\n  ${[path, ...spec.aliases.map((a) => `${parentPath} ${a}`)].join(', ')}\n`;
  }
  if (fs && fs.sorted().some((f) => !f.hidden)) {
    out += `\nOptions:\n${flagUsages(fs, helpWidth()).trimEnd()}\n`;
  }
  return out;
}

/** Help of a management command ("berth container"). */
export function groupHelp(path: string, spec: CommandSpec): string {
  const kids = (spec.children ?? []).filter((c) => !c.hidden);
  const width = Math.max(11, ...kids.map((c) => c.name.length + 1));
  let out = `Usage:  ${path} COMMAND\n\n${spec.short}\n\nCommands:\n`;
  for (const c of [...kids].sort((a, b) => (a.name < b.name ? -1 : 1))) out += `  ${pad(c.name, width)} ${c.short}\n`;
  out += `\nRun '${path} COMMAND --help' for more information on a command.\n`;
  return out;
}

/** The root help: common, management and other commands, then the global options. */
export function rootHelp(root: CommandSpec[], globals: FlagSet): string {
  const visible = root.filter((c) => !c.hidden);
  const width = Math.max(11, ...visible.map((c) => c.name.length + 1));
  const line = (c: CommandSpec): string => `  ${pad(c.name, width)} ${c.short}\n`;
  let out = `Usage:  ${BIN} [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers\n\nCommon Commands:\n`;
  for (const c of visible.filter((c) => c.top !== undefined).sort((a, b) => a.top! - b.top!)) out += line(c);
  out += '\nManagement Commands:\n';
  for (const c of visible.filter((c) => c.children).sort((a, b) => (a.name < b.name ? -1 : 1))) out += line(c);
  out += '\nCommands:\n';
  for (const c of visible.filter((c) => !c.children && c.top === undefined).sort((a, b) => (a.name < b.name ? -1 : 1))) out += line(c);
  out += `\nGlobal Options:\n${flagUsages(globals, helpWidth()).trimEnd()}\n`;
  out += `\nRun '${BIN} COMMAND --help' for more information on a command.\n`;
  return out;
}
