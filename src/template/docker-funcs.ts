/** The functions docker/cli adds to every --format template (templates/templates.go), and their table-header variants. */
import type { FuncDef } from './func-def.js';
import { sprint } from './go-fmt.js';
import { marshalGoJson } from './go-json.js';
import { kindOf, sortedEntries, typeName } from './go-values.js';

type Fn = (...args: never[]) => unknown;

/** unicode.ToUpper/ToLower map rune by rune; JS expansions such as ß → SS are not Go's. */
function mapRunes(s: string, f: (c: string) => string): string {
  let out = '';
  for (const ch of s) {
    const m = f(ch);
    out += [...m].length === 1 ? m : ch;
  }
  return out;
}

const upper = (s: string): string => mapRunes(s, (c) => c.toUpperCase());
const lower = (s: string): string => mapRunes(s, (c) => c.toLowerCase());

function isSeparator(c: string): boolean {
  const cp = c.codePointAt(0) ?? 0;
  if (cp <= 0x7f) return !/[0-9A-Za-z_]/.test(c);
  if (/[\p{L}\p{Nd}]/u.test(c)) return false;
  return /\s/u.test(c);
}

/** The digraphs whose title case differs from upper case (Ǆ ǅ ǆ → ǅ). */
const TITLE_CASE: Record<string, string> = {
  '\u01c4': '\u01c5', '\u01c5': '\u01c5', '\u01c6': '\u01c5', '\u01c7': '\u01c8', '\u01c8': '\u01c8', '\u01c9': '\u01c8',
  '\u01ca': '\u01cb', '\u01cb': '\u01cb', '\u01cc': '\u01cb', '\u01f1': '\u01f2', '\u01f2': '\u01f2', '\u01f3': '\u01f2',
};

/** strings.Title: title-case the first letter of every word. */
export function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? (TITLE_CASE[ch] ?? upper(ch)) : ch;
    prev = ch;
  }
  return out;
}

function split(s: string, sep: string): string[] {
  return sep === '' ? [...s] : s.split(sep);
}

/** docker's joinElements: []string joined, other slices and map values through fmt.Sprint. */
function join(elems: unknown, sep: string): string {
  if (elems === null || elems === undefined) return '';
  switch (kindOf(elems)) {
    case 'slice': return Array.from(elems as ArrayLike<unknown>, (e) => (typeof e === 'string' ? e : sprint([e]))).join(sep);
    case 'map': return sortedEntries(elems as object).map(([, v]) => sprint([v])).sort().join(sep);
    default: throw new Error(`expected slice, got ${typeName(elems)}`);
  }
}

function pad(s: string, prefix: number, suffix: number): string {
  if (s === '') return s;
  if (prefix < 0 || suffix < 0) throw new Error('strings: negative Repeat count');
  return ' '.repeat(prefix) + s + ' '.repeat(suffix);
}

/** Byte-based, like Go's source[:length]. */
function truncate(s: string, length: number): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length < length) return s;
  if (length < 0) throw new Error(`runtime error: slice bounds out of range [:${length}]`);
  return b.subarray(0, length).toString('utf8');
}

export function dockerFuncs(): Map<string, FuncDef> {
  const fns: Array<[string, FuncDef]> = [
    ['json', { params: ['any'], fn: ((v: unknown) => marshalGoJson(v, { escapeHTML: false })) as Fn }],
    ['split', { params: ['string', 'string'], fn: split as Fn }],
    ['join', { params: ['any', 'string'], fn: join as Fn }],
    ['title', { params: ['string'], fn: title as Fn }],
    ['lower', { params: ['string'], fn: lower as Fn }],
    ['upper', { params: ['string'], fn: upper as Fn }],
    ['pad', { params: ['string', 'int', 'int'], fn: pad as Fn }],
    ['truncate', { params: ['string', 'int'], fn: truncate as Fn }],
  ];
  return new Map(fns);
}

/** docker's HeaderFunctions: the header row keeps column names intact. */
export function headerFuncs(): Map<string, FuncDef> {
  const same = ((v: string) => v) as Fn;
  const fns: Array<[string, FuncDef]> = [
    ['json', { params: ['string'], fn: same }],
    ['split', { params: ['string', 'string'], fn: same }],
    ['join', { params: ['string', 'string'], fn: same }],
    ['title', { params: ['string'], fn: same }],
    ['lower', { params: ['string'], fn: same }],
    ['upper', { params: ['string'], fn: same }],
    ['truncate', { params: ['string', 'int'], fn: same }],
  ];
  return new Map(fns);
}
