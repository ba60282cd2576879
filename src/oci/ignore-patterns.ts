import { InvalidArgumentError } from '../base/index.js';

/**
 * `.dockerignore` as Docker reads and matches it: one pattern per line, `#` comments, `!` for
 * exceptions, the last matching pattern wins, and a path is matched when it or any of its
 * parent directories is. `*` and `?` stay within one path segment, `**` spans any number of
 * them. Shared by the CLI (which filters the context it sends) and the builder.
 */
export interface IgnorePattern {
  /** The cleaned pattern text, without `!`. */
  pattern: string;
  exclusion: boolean;
  regex: RegExp;
}

export function readIgnoreFile(text: string): IgnorePattern[] {
  const patterns: IgnorePattern[] = [];
  for (const rawLine of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (rawLine.startsWith('#')) continue;
    let line = rawLine.trim();
    if (line === '') continue;
    let exclusion = false;
    if (line.startsWith('!')) {
      line = line.slice(1).trim();
      if (line === '') throw new InvalidArgumentError('illegal exclusion pattern: "!"');
      exclusion = true;
    }
    let cleaned = cleanPath(line);
    if (cleaned.length > 1 && cleaned.startsWith('/')) cleaned = cleaned.slice(1);
    patterns.push(compilePattern(cleaned, exclusion));
  }
  return patterns;
}

export function compilePattern(pattern: string, exclusion = false): IgnorePattern {
  let re = '^';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        if (chars[i + 1] === '/') i++;
        re += i + 1 >= chars.length ? '.*' : '(?:.*/)?';
      } else {
        re += '[^/]*';
      }
    } else if (ch === '?') {
      re += '[^/]';
    } else if (ch === '\\') {
      const next = chars[++i];
      re += next === undefined ? '\\\\' : escapeChar(next);
    } else if (ch === '[') {
      const end = chars.indexOf(']', i + 2);
      if (end < 0) throw new InvalidArgumentError(`syntax error in pattern "${pattern}"`);
      let body = chars.slice(i + 1, end).join('');
      if (body.startsWith('^') || body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\(?!\])/g, '\\\\').replace(/\//g, '')}]`;
      i = end;
    } else {
      re += escapeChar(ch);
    }
  }
  return { pattern, exclusion, regex: new RegExp(`${re}$`, 's') };
}

/** Whether a context path (slash-separated, relative, cleaned) is ignored by the patterns. */
export function isIgnored(patterns: readonly IgnorePattern[], path: string): boolean {
  const parts = cleanPath(path).split('/');
  let matched = false;
  for (const p of patterns) {
    if (p.exclusion !== matched) continue;
    let hit = p.regex.test(parts.join('/'));
    for (let i = 1; !hit && i < parts.length; i++) hit = p.regex.test(parts.slice(0, i).join('/'));
    if (hit) matched = !p.exclusion;
  }
  return matched;
}

/**
 * Whether a directory may be skipped whole: it is ignored, and no exception pattern could
 * re-include something below it.
 */
export function canSkipDir(patterns: readonly IgnorePattern[], dir: string): boolean {
  if (!isIgnored(patterns, dir)) return false;
  const prefix = `${cleanPath(dir)}/`;
  return !patterns.some((p) => p.exclusion && (p.pattern.startsWith(prefix) || /[*?[\\]/.test(p.pattern)));
}

/** Go's path.Clean for slash-separated paths. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(seg);
  }
  const joined = out.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

function escapeChar(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}
