/** text/template's predefined functions: and or not len index slice print* eq ne lt le gt ge call html js urlquery. */
import type { FuncDef } from './func-def.js';
import { sprint, sprintf, sprintln } from './go-fmt.js';
import { isPrint } from './go-strconv.js';
import { isGoInt, isStruct, isTrue, kindOf, mapHas, mapLookup, missingKeyValue, toNumber, typeName } from './go-values.js';

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

function indexArg(index: unknown, cap: number): number {
  if (index === undefined || index === null) throw new Error('cannot index slice/array with nil');
  if (!isGoInt(index)) throw new Error(`cannot index slice/array with type ${typeName(index)}`);
  const x = toNumber(index);
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
  return x;
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined) throw new Error('index of untyped nil');
  for (const ix of indexes) {
    if (item === null) {
      // A nil map yields its zero value; a nil slice has no elements.
      if (typeof ix === 'string') return '';
      throw new Error(`index out of range: ${isGoInt(ix) ? toNumber(ix) : 0}`);
    }
    const k = kindOf(item);
    if (k === 'string' || k === 'slice') {
      const seq = k === 'string' ? utf8(item as string) : (item as ArrayLike<unknown>);
      const x = indexArg(ix, seq.length);
      if (x === seq.length) throw new Error(`index out of range: ${x}`);
      item = seq[x];
    } else if (k === 'map' && !isStruct(item)) {
      const m = item as object;
      if (ix === undefined || ix === null) throw new Error('value is nil; should be of type string');
      if (!(m instanceof Map) && typeof ix !== 'string') throw new Error(`value has type ${typeName(ix)}; should be string`);
      if (m instanceof Map) item = m.has(ix) ? m.get(ix) : missingKeyValue(m);
      else item = mapHas(m, ix as string) ? mapLookup(m, ix as string) : missingKeyValue(m);
    } else {
      throw new Error(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  const k = kindOf(item);
  let cap: number;
  if (k === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    cap = utf8(item as string).length;
  } else if (k === 'slice') {
    cap = (item as ArrayLike<unknown>).length;
  } else {
    throw new Error(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, cap];
  indexes.forEach((ix, i) => { idx[i] = indexArg(ix, cap); });
  const [lo = 0, hi = cap] = idx;
  if (lo > hi) throw new Error(`invalid slice index: ${lo} > ${hi}`);
  if (indexes.length === 3 && hi > (idx[2] ?? cap)) throw new Error(`invalid slice index: ${hi} > ${idx[2]}`);
  if (k === 'string') return utf8(item as string).subarray(lo, hi).toString('utf8');
  return Array.from(item as ArrayLike<unknown>).slice(lo, hi);
}

function length(item: unknown): number {
  if (item === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  if (item === null) throw new Error('len of nil pointer');
  switch (kindOf(item)) {
    case 'string': return utf8(item as string).length;
    case 'slice': return (item as ArrayLike<unknown>).length;
    case 'map': return item instanceof Map ? item.size : Object.keys(item as object).length;
    default: throw new Error(`len of type ${typeName(item)}`);
  }
}

type Basic = 'bool' | 'number' | 'string';

function basicKind(v: unknown): Basic | undefined {
  switch (kindOf(v)) {
    case 'bool': return 'bool';
    case 'int': case 'float': return 'number';
    case 'string': return 'string';
    default: return undefined;
  }
}

const errBadComparisonType = 'invalid type for comparison';
const errBadComparison = 'incompatible types for comparison';

function eq(arg1: unknown, ...arg2: unknown[]): boolean {
  if (arg2.length === 0) throw new Error('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of arg2) {
    const k2 = basicKind(arg);
    let truth: boolean;
    if (k1 !== k2) {
      if (arg1 !== undefined && arg1 !== null && arg !== undefined && arg !== null) throw new Error(errBadComparison);
      truth = false;
    } else if (k1 === 'number') {
      truth = toNumber(arg1 as number) === toNumber(arg as number);
    } else if (k1 !== undefined) {
      truth = arg1 === arg;
    } else {
      const nil1 = arg1 === undefined || arg1 === null;
      const nil2 = arg === undefined || arg === null;
      if (nil1 || nil2) truth = nil1 === nil2;
      else if (arg1 instanceof Date && arg instanceof Date) truth = arg1.getTime() === arg.getTime();
      else if (typeof arg1 === 'function' || typeof arg === 'function') truth = arg1 === arg;
      else throw new Error(`non-comparable type ${sprint([arg])}: ${typeName(arg)}`);
    }
    if (truth) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === undefined || k2 === undefined) throw new Error(errBadComparisonType);
  if (k1 !== k2) throw new Error(errBadComparison);
  if (k1 === 'bool') throw new Error(errBadComparisonType);
  if (k1 === 'number') return toNumber(a as number) < toNumber(b as number);
  return Buffer.compare(utf8(a as string), utf8(b as string)) < 0;
}

function le(a: unknown, b: unknown): boolean {
  return lt(a, b) || eq(a, b);
}

function call(fn: unknown, ...args: unknown[]): unknown {
  if (fn === undefined || fn === null) throw new Error('call of nil');
  if (typeof fn !== 'function') throw new Error(`non-function of type ${typeName(fn)}`);
  return (fn as (...a: unknown[]) => unknown)(...args);
}

/** Go's evalArgs for the escapers: one string as is, else fmt.Sprint with nil shown as <no value>. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === null || a === undefined ? '<no value>' : a)));
}

const HTML_ESCAPES: Record<string, string> = { '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;', '\0': '\uFFFD' };

export function htmlEscape(s: string): string {
  return s.replace(/["'&<>\0]/g, (c) => HTML_ESCAPES[c] as string);
}

const JS_ESCAPES: Record<string, string> = {
  '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D',
};

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    const esc = JS_ESCAPES[ch];
    if (esc !== undefined) out += esc;
    else if (cp < 0x20) out += '\\u00' + cp.toString(16).toUpperCase().padStart(2, '0');
    else if (cp < 0x80 || isPrint(cp)) out += ch;
    else out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of utf8(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

type Fn = (...args: never[]) => unknown;

export function builtinFuncs(): Map<string, FuncDef> {
  const fns: Array<[string, FuncDef]> = [
    ['and', { params: ['value'], variadic: 'value', shortCircuit: 'and', fn: ((...a: unknown[]) => a.find((v) => !isTrue(v)) ?? a[a.length - 1]) as Fn }],
    ['or', { params: ['value'], variadic: 'value', shortCircuit: 'or', fn: ((...a: unknown[]) => a.find((v) => isTrue(v)) ?? a[a.length - 1]) as Fn }],
    ['not', { params: ['value'], fn: ((v: unknown) => !isTrue(v)) as Fn }],
    ['len', { params: ['value'], fn: length as Fn }],
    ['index', { params: ['value'], variadic: 'value', fn: index as Fn }],
    ['slice', { params: ['value'], variadic: 'value', fn: slice as Fn }],
    ['print', { params: [], variadic: 'any', fn: ((...a: unknown[]) => sprint(a)) as Fn }],
    ['printf', { params: ['string'], variadic: 'any', fn: ((f: string, ...a: unknown[]) => sprintf(f, a)) as Fn }],
    ['println', { params: [], variadic: 'any', fn: ((...a: unknown[]) => sprintln(a)) as Fn }],
    ['eq', { params: ['value'], variadic: 'value', fn: eq as Fn }],
    ['ne', { params: ['value', 'value'], fn: ((a: unknown, b: unknown) => !eq(a, b)) as Fn }],
    ['lt', { params: ['value', 'value'], fn: lt as Fn }],
    ['le', { params: ['value', 'value'], fn: le as Fn }],
    ['gt', { params: ['value', 'value'], fn: ((a: unknown, b: unknown) => !le(a, b)) as Fn }],
    ['ge', { params: ['value', 'value'], fn: ((a: unknown, b: unknown) => !lt(a, b)) as Fn }],
    ['call', { params: ['value'], variadic: 'value', fn: call as Fn }],
    ['html', { params: [], variadic: 'any', fn: ((...a: unknown[]) => htmlEscape(evalArgs(a))) as Fn }],
    ['js', { params: [], variadic: 'any', fn: ((...a: unknown[]) => jsEscape(evalArgs(a))) as Fn }],
    ['urlquery', { params: [], variadic: 'any', fn: ((...a: unknown[]) => queryEscape(evalArgs(a))) as Fn }],
  ];
  return new Map(fns);
}
