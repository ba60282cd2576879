import { InvalidArgumentError } from '../../base/index.js';

/**
 * Go's path.Match: `*` any run of non-'/' characters, `?` one non-'/' character,
 * `[...]` classes with ranges and `^` negation, `\\` escapes. Docker matches
 * `reference` filters with it. Walked directly, never turned into a RegExp, so no
 * character of a user's pattern can change the meaning of another.
 */
export function pathMatch(pattern: string, name: string): boolean {
  let p = Array.from(pattern);
  let s = Array.from(name);
  outer: while (p.length > 0) {
    const { star, chunk, rest } = scanChunk(p);
    p = rest;
    if (star && chunk.length === 0) return !s.includes('/');
    const first = matchChunk(chunk, s);
    if (first !== undefined && (first.length === 0 || p.length > 0)) {
      s = first;
      continue;
    }
    if (star) {
      for (let i = 0; i < s.length && s[i] !== '/'; i++) {
        const t = matchChunk(chunk, s.slice(i + 1));
        if (t !== undefined) {
          if (p.length === 0 && t.length > 0) continue;
          s = t;
          continue outer;
        }
      }
    }
    // No match: the rest of the pattern must still be well formed, as in Go.
    while (p.length > 0) {
      const next = scanChunk(p);
      p = next.rest;
      matchChunk(next.chunk, []);
    }
    return false;
  }
  return s.length === 0;
}

function scanChunk(p: string[]): { star: boolean; chunk: string[]; rest: string[] } {
  let i = 0;
  while (p[i] === '*') i++;
  const star = i > 0;
  let j = i;
  let inRange = false;
  for (; j < p.length; j++) {
    const c = p[j];
    if (c === '\\') {
      if (j + 1 < p.length) j++;
    } else if (c === '[') inRange = true;
    else if (c === ']') inRange = false;
    else if (c === '*' && !inRange) break;
  }
  return { star, chunk: p.slice(i, j), rest: p.slice(j) };
}

/** The rest of s after chunk, or undefined when chunk does not match its start; throws on a malformed chunk. */
function matchChunk(chunk: string[], s: string[]): string[] | undefined {
  let failed = false;
  let c = 0;
  let k = 0;
  while (c < chunk.length) {
    if (!failed && k >= s.length) failed = true;
    const ch = chunk[c]!;
    if (ch === '[') {
      const r = failed ? undefined : s[k++];
      c++;
      let negated = false;
      if (chunk[c] === '^') { negated = true; c++; }
      let match = false;
      let ranges = 0;
      for (;;) {
        if (chunk[c] === ']' && ranges > 0) { c++; break; }
        const lo = escaped(chunk, c);
        c = lo.next;
        let hi = lo;
        if (chunk[c] === '-') {
          hi = escaped(chunk, c + 1);
          c = hi.next;
        }
        if (r !== undefined && cp(lo.ch) <= cp(r) && cp(r) <= cp(hi.ch)) match = true;
        ranges++;
      }
      if (match === negated) failed = true;
    } else if (ch === '?') {
      if (!failed) {
        if (s[k] === '/') failed = true;
        k++;
      }
      c++;
    } else {
      let lit = ch;
      if (ch === '\\') {
        c++;
        if (c >= chunk.length) throw badPattern();
        lit = chunk[c]!;
      }
      if (!failed) {
        if (s[k] !== lit) failed = true;
        k++;
      }
      c++;
    }
  }
  return failed ? undefined : s.slice(k);
}

/** One character of a class, after an optional backslash; a class must not end after it. */
function escaped(chunk: string[], at: number): { ch: string; next: number } {
  let i = at;
  if (i >= chunk.length || chunk[i] === '-' || chunk[i] === ']') throw badPattern();
  if (chunk[i] === '\\') {
    i++;
    if (i >= chunk.length) throw badPattern();
  }
  const ch = chunk[i]!;
  if (i + 1 >= chunk.length) throw badPattern();
  return { ch, next: i + 1 };
}

function cp(c: string): number {
  return c.codePointAt(0)!;
}

function badPattern(): InvalidArgumentError {
  return new InvalidArgumentError('syntax error in pattern');
}
