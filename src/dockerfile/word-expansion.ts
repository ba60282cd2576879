import { InvalidArgumentError } from '../base/index.js';

/**
 * Dockerfile word expansion, as BuildKit's shell lexer does it for the instructions Docker
 * expands (ADD, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR, ARG):
 * quotes are removed, the escape character escapes the next one, `$VAR` and `${VAR...}` are
 * replaced from the build's environment. No command substitution, no globbing.
 */
export interface WordExpansionOptions {
  /** `\` by default, or `` ` `` when the `# escape=` directive says so. */
  escape?: string;
  /** Keep escape characters in the output (the value goes to something that unescapes again). */
  rawEscapes?: boolean;
}

/** The environment variables a word sees: name → value (absent means unset). */
export type BuildEnv = ReadonlyMap<string, string>;

export interface Expansion {
  value: string;
  /** Names the expansion read, set or not: the build cache keys on the args a step uses. */
  used: Set<string>;
}

/** One word, quotes removed (`ENV a="x y"` gives `x y`). */
export function expandWord(word: string, env: BuildEnv, opts: WordExpansionOptions = {}): Expansion {
  const lexer = new WordLexer(word, env, opts);
  const { text: value } = lexer.processUntil(null);
  return { value, used: lexer.used };
}

/**
 * Several words: unquoted whitespace (also inside an unquoted variable's value) separates
 * them, as for `EXPOSE $PORTS`.
 */
export function expandWords(text: string, env: BuildEnv, opts: WordExpansionOptions = {}): { words: string[]; used: Set<string> } {
  const lexer = new WordLexer(text, env, opts);
  const { words } = lexer.processUntil(null, { split: true });
  return { words, used: lexer.used };
}

/** Collects characters into one text, and into words split on unquoted whitespace. */
class WordsAccumulator {
  private all = '';
  private word = '';
  private inWord = false;
  private readonly words: string[] = [];

  constructor(private readonly split: boolean) {}

  /** Quoted or escaped text: never splits a word, and makes one even when empty. */
  raw(s: string): void {
    this.all += s;
    this.word += s;
    this.inWord = true;
  }

  /** Unquoted text: whitespace separates words. */
  splittable(s: string): void {
    this.all += s;
    if (!this.split) { this.word += s; this.inWord = true; return; }
    for (const ch of s) {
      if (/\s/.test(ch)) {
        if (this.inWord) this.words.push(this.word);
        this.word = '';
        this.inWord = false;
      } else {
        this.word += ch;
        this.inWord = true;
      }
    }
  }

  text(): string { return this.all; }

  finish(): string[] {
    if (this.inWord) this.words.push(this.word);
    this.inWord = false;
    return this.words;
  }
}

const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

class WordLexer {
  private pos = 0;
  readonly used = new Set<string>();
  private readonly escape: string;

  constructor(private readonly src: string, private readonly env: BuildEnv, private readonly opts: WordExpansionOptions) {
    this.escape = opts.escape ?? '\\';
  }

  private peek(): string | undefined { return this.src[this.pos]; }
  private next(): string | undefined { return this.src[this.pos++]; }

  /**
   * Reads until `stop` (unquoted, unescaped) or the end; with `split`, unquoted whitespace
   * ends a word. The stop character is consumed.
   */
  processUntil(stop: string | null, { split = false } = {}): { text: string; words: string[]; stopped: boolean } {
    const acc = new WordsAccumulator(split);
    while (this.pos < this.src.length) {
      const ch = this.peek()!;
      if (stop !== null && ch === stop) {
        this.pos++;
        return { text: acc.text(), words: acc.finish(), stopped: true };
      }
      if (ch === this.escape) {
        this.pos++;
        const escaped = this.next();
        if (escaped === undefined) break;
        acc.raw(this.opts.rawEscapes ? ch + escaped : escaped);
      } else if (ch === "'") {
        acc.raw(this.singleQuoted());
      } else if (ch === '"') {
        acc.raw(this.doubleQuoted());
      } else if (ch === '$') {
        acc.splittable(this.dollar());
      } else {
        this.pos++;
        acc.splittable(ch);
      }
    }
    if (stop !== null) throw new InvalidArgumentError(stop === '}' ? "missing '}'" : `unexpected end of statement while looking for matching ${stop}`);
    return { text: acc.text(), words: acc.finish(), stopped: false };
  }

  private singleQuoted(): string {
    this.pos++;
    const end = this.src.indexOf("'", this.pos);
    if (end < 0) throw new InvalidArgumentError('unexpected end of statement while looking for matching single-quote');
    const text = this.src.slice(this.pos, end);
    this.pos = end + 1;
    return this.opts.rawEscapes ? `'${text}'` : text;
  }

  private doubleQuoted(): string {
    this.pos++;
    let out = this.opts.rawEscapes ? '"' : '';
    for (;;) {
      const ch = this.next();
      if (ch === undefined) throw new InvalidArgumentError('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') return this.opts.rawEscapes ? `${out}"` : out;
      if (ch === '$') { this.pos--; out += this.dollar(); continue; }
      if (ch === this.escape) {
        const escaped = this.peek();
        if (escaped === '"' || escaped === '$' || escaped === this.escape) {
          this.pos++;
          out += this.opts.rawEscapes ? ch + escaped : escaped;
          continue;
        }
      }
      out += ch;
    }
  }

  /** At a `$`: the expansion of what follows, or a literal `$`. */
  private dollar(): string {
    this.pos++;
    if (this.peek() !== '{') {
      const name = this.name();
      if (name === '') return '$';
      return this.lookup(name) ?? '';
    }
    this.pos++;
    const name = this.name();
    if (name === '') throw new InvalidArgumentError('bad substitution');
    const op = this.next();
    if (op === undefined) throw new InvalidArgumentError("missing '}'");
    if (op === '}') return this.lookup(name) ?? '';
    const value = this.lookup(name);
    if (op === ':' || op === '-' || op === '+' || op === '?') {
      const colon = op === ':';
      const test = colon ? this.next() : op;
      if (test !== '-' && test !== '+' && test !== '?') throw new InvalidArgumentError(`unsupported modifier (${test ?? ''}) in substitution`);
      const word = this.processUntil('}').text;
      const present = colon ? value !== undefined && value !== '' : value !== undefined;
      if (test === '-') return present ? value! : word;
      if (test === '+') return present ? word : '';
      if (!present) throw new InvalidArgumentError(`${name}: ${word || 'is not allowed to be unset'}`);
      return value!;
    }
    if (op === '#' || op === '%') {
      const longest = this.peek() === op;
      if (longest) this.pos++;
      const pattern = this.processUntil('}').text;
      return trimPattern(value ?? '', pattern, { suffix: op === '%', longest });
    }
    if (op === '/') {
      const all = this.peek() === '/';
      if (all) this.pos++;
      const pattern = this.processUntil('/').text;
      const replacement = this.processUntil('}').text;
      return replacePattern(value ?? '', pattern, replacement, { all });
    }
    throw new InvalidArgumentError(`unsupported modifier (${op}) in substitution`);
  }

  private name(): string {
    const first = this.peek();
    if (first === undefined) return '';
    if (/[0-9]/.test(first)) {
      let digits = '';
      while (this.peek() !== undefined && /[0-9]/.test(this.peek()!)) digits += this.next();
      return digits;
    }
    if (SPECIAL_PARAMS.has(first)) { this.pos++; return first; }
    let name = '';
    while (this.peek() !== undefined && /[\p{L}\p{Nd}_]/u.test(this.peek()!)) name += this.next();
    return name;
  }

  private lookup(name: string): string | undefined {
    this.used.add(name);
    return this.env.get(name);
  }
}

/** A shell glob (`*`, `?`, `[...]`, `\x`) as an anchored-free regular expression body. */
function globToRegex(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') out += '.*?';
    else if (ch === '?') out += '.';
    else if (ch === '\\' && i + 1 < pattern.length) out += escapeRegex(pattern[++i]!);
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) { out += '\\['; continue; }
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else out += escapeRegex(ch);
  }
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function trimPattern(value: string, pattern: string, { suffix, longest }: { suffix: boolean; longest: boolean }): string {
  const body = globToRegex(pattern);
  // Try every split point: shortest match first unless `longest` asks otherwise.
  const re = new RegExp(`^(?:${body})$`, 's');
  const cuts = [...Array(value.length + 1).keys()];
  if (longest !== suffix) cuts.reverse();
  for (const cut of cuts) {
    const part = suffix ? value.slice(cut) : value.slice(0, cut);
    if (re.test(part)) return suffix ? value.slice(0, cut) : value.slice(cut);
  }
  return value;
}

function replacePattern(value: string, pattern: string, replacement: string, { all }: { all: boolean }): string {
  if (pattern === '') return value;
  const re = new RegExp(globToRegex(pattern).replace(/\.\*\?/g, '.*'), all ? 'gs' : 's');
  return value.replace(re, () => replacement);
}
