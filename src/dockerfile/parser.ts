import { extractFlags, splitWordsKeepingQuotes } from './args.js';
import { DirectiveReader, type Directives } from './directives.js';
import { DockerfileError } from './errors.js';

/** A here-document attached to RUN, COPY or ADD (`<<EOF` ... `EOF`). */
export interface Heredoc {
  name: string;
  /** Body lines, each ending in a newline (leading tabs gone with `<<-`). */
  content: string;
  /** Unquoted delimiter: the body is expanded (by the shell for RUN, by the builder for COPY). */
  expand: boolean;
  chomp: boolean;
}

/** One instruction as the file states it, before its arguments are interpreted. */
export interface InstructionNode {
  /** Lower case (`run`). */
  keyword: string;
  /** The instruction's text with continuations joined: the classic builder's step title. */
  original: string;
  flags: string[];
  /** Everything after the keyword and flags. */
  rest: string;
  heredocs: Heredoc[];
  startLine: number;
  endLine: number;
}

export interface ParsedDockerfile {
  directives: Directives;
  instructions: InstructionNode[];
  warnings: string[];
}

const HEREDOC_INSTRUCTIONS = new Set(['run', 'copy', 'add']);
const HEREDOC_WORD = /^(\d*)<<(-?)([^<]*)$/;
const MAX_DOCKERFILE = 16 * 1024 * 1024;

/** Parses a Dockerfile's text into instructions (BuildKit's rules; see word-expansion.ts). */
export function parseDockerfile(text: string): ParsedDockerfile {
  if (text.length > MAX_DOCKERFILE) throw new DockerfileError('Dockerfile is too large');
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const reader = new DirectiveReader();
  const instructions: InstructionNode[] = [];
  const warnings: string[] = [];
  let i = 0;
  const continuation = (): RegExp => new RegExp(`${escapeRegex(reader.directives.escape)}[ \\t]*$`);

  while (i < lines.length) {
    const raw = lines[i]!.trimStart();
    const startLine = ++i;
    if (reader.offer(raw, startLine) || raw.startsWith('#')) continue;
    const cont = continuation();
    let line = raw;
    let ended = !cont.test(line);
    if (!ended) line = line.replace(cont, '');
    if (ended && line.trim() === '') continue;
    let emptyContinuation = false;
    while (!ended && i < lines.length) {
      const next = lines[i++]!;
      if (next.trimStart().startsWith('#')) continue;
      if (next.trim() === '') { emptyContinuation = true; continue; }
      ended = !cont.test(next);
      line += ended ? next : next.replace(cont, '');
    }
    if (emptyContinuation) warnings.push(`[WARNING]: Empty continuation line found in:\n    ${line.trim()}\n[WARNING]: Empty continuation lines will become errors in a future release.`);
    const node = nodeFromLine(line, startLine);
    if (HEREDOC_INSTRUCTIONS.has(node.keyword) && line.includes('<<')) {
      for (const doc of heredocsIn(node.rest)) {
        let terminated = false;
        const body: string[] = [];
        while (i < lines.length) {
          const bodyLine = lines[i++]!;
          const candidate = doc.chomp ? bodyLine.replace(/^\t+/, '') : bodyLine;
          if (candidate === doc.name) { terminated = true; break; }
          body.push(`${candidate}\n`);
        }
        if (!terminated) throw new DockerfileError(`unterminated heredoc ${doc.name}`, startLine);
        node.heredocs.push({ ...doc, content: body.join('') });
      }
    }
    node.endLine = i;
    instructions.push(node);
  }
  return { directives: reader.directives, instructions, warnings };
}

/** An instruction from one logical line (also ONBUILD's trigger text). */
export function nodeFromLine(line: string, lineNo: number): InstructionNode {
  const trimmed = line.trim();
  const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(trimmed);
  const keyword = (m?.[1] ?? '').toLowerCase();
  const { flags, rest } = extractFlags(m?.[2] ?? '');
  return { keyword, original: trimmed, flags, rest: rest.trim(), heredocs: [], startLine: lineNo, endLine: lineNo };
}

function heredocsIn(rest: string): Array<Omit<Heredoc, 'content'>> {
  const docs: Array<Omit<Heredoc, 'content'>> = [];
  for (const word of splitWordsKeepingQuotes(rest, '\\')) {
    const m = HEREDOC_WORD.exec(word);
    if (!m || !m[3]) continue;
    if (m[1]) throw new DockerfileError(`unsupported heredoc fd ${m[1]}`);
    const quoted = /["']/.test(m[3]);
    const name = m[3].replace(/["']/g, '');
    if (name === '') continue;
    docs.push({ name, expand: !quoted, chomp: m[2] === '-' });
  }
  return docs;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
