import { InvalidArgumentError } from '../../base/index.js';

/**
 * Go's path.Match: `*` any run of non-'/' characters, `?` one non-'/' character,
 * `[...]` classes with ranges and `^` negation, `\\` escapes. Docker matches
 * `reference` filters with it.
 */
export function pathMatch(pattern: string, name: string): boolean {
  return new RegExp(`^${globToRegExp(pattern)}$`, 'u').test(name);
}

function globToRegExp(p: string): string {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\') {
      if (i + 1 >= p.length) throw badPattern();
      out += escapeRe(p[++i]!);
    } else if (c === '[') {
      let j = i + 1;
      let cls = '';
      if (p[j] === '^') { cls += '^'; j++; }
      let first = true;
      for (; j < p.length && (p[j] !== ']' || first); j++) {
        first = false;
        let ch = p[j]!;
        if (ch === '\\') {
          if (j + 1 >= p.length) throw badPattern();
          ch = p[++j]!;
        }
        if (ch === '/') throw badPattern();
        cls += ch === '-' && p[j - 1] !== '[' && p[j + 1] !== ']' ? '-' : escapeRe(ch);
      }
      if (j >= p.length || cls === '' || cls === '^') throw badPattern();
      out += `[${cls}]`;
      i = j;
    } else out += escapeRe(c);
  }
  return out;
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/-]/.test(c) ? `\\${c}` : c;
}

function badPattern(): InvalidArgumentError {
  return new InvalidArgumentError('syntax error in pattern');
}
