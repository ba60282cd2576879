import { formatGoDuration, parseGoDuration, parseRamBytes, bytesSize } from '../../base/index.js';

/**
 * A flag's value, as pflag's Value: a type name for the usage column, a parser, and the
 * string form used for the "(default ...)" note.
 */
export interface FlagValue<T = unknown> {
  /** pflag's type name ("string", "list", "bytes"...); "bool" makes it a switch */
  readonly type: string;
  readonly value: T;
  set(s: string): void;
  toString(): string;
  /** Whether `def` (the value's string form at definition time) counts as "no default" */
  isZero(def: string): boolean;
}

const ZERO_STRINGS = new Set(['false', '<nil>', '', '0']);

/** The error a value's parser throws; its message goes into pflag's "invalid argument" text. */
export class FlagValueError extends Error {}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool. */
export function parseGoBool(s: string): boolean {
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new FlagValueError(`strconv.ParseBool: parsing ${goQuote(s)}: invalid syntax`);
}

/** Go's strconv.ParseInt(s, 0, bits) as pflag's int flags use it. */
export function parseGoInt(s: string, bits = 64, unsigned = false): number {
  const fn = unsigned ? 'ParseUint' : 'ParseInt';
  const body = s.replace(/_/g, '');
  let m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/.exec(body);
  if (unsigned && m && m[1] !== '') m = null;
  if (!m || (s.includes('_') && !/^[+-]?0[xXoObB]?/.test(s))) throw new FlagValueError(`strconv.${fn}: parsing ${goQuote(s)}: invalid syntax`);
  const digits = m[2]!;
  let big: bigint;
  if (/^0[xX]/.test(digits)) big = BigInt(digits);
  else if (/^0[bB]/.test(digits)) big = BigInt(digits);
  else if (/^0[oO]/.test(digits)) big = BigInt(`0o${digits.slice(2)}`);
  else if (digits.length > 1 && digits.startsWith('0')) big = BigInt(`0o${digits.slice(1)}`);
  else big = BigInt(digits);
  if (m[1] === '-') big = -big;
  const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
  if (big > max || big < min) throw new FlagValueError(`strconv.${fn}: parsing ${goQuote(s)}: value out of range`);
  return Number(big);
}

export class BoolValue implements FlagValue<boolean> {
  readonly type = 'bool';
  constructor(public value: boolean) {}
  set(s: string): void { this.value = parseGoBool(s); }
  toString(): string { return String(this.value); }
  isZero(def: string): boolean { return def === 'false'; }
}

export class StringValue implements FlagValue<string> {
  readonly type = 'string';
  constructor(public value: string) {}
  set(s: string): void { this.value = s; }
  toString(): string { return this.value; }
  isZero(def: string): boolean { return def === ''; }
}

export class IntValue implements FlagValue<number> {
  constructor(public value: number, readonly type: 'int' | 'int64' | 'uint16' | 'uint64' = 'int') {}
  set(s: string): void {
    const unsigned = this.type.startsWith('u');
    const bits = this.type === 'uint16' ? 16 : 64;
    this.value = parseGoInt(s, bits, unsigned);
  }
  toString(): string { return String(this.value); }
  isZero(def: string): boolean { return def === '0'; }
}

/** A Go duration ("10s"); the value is in milliseconds. */
export class DurationValue implements FlagValue<number> {
  readonly type = 'duration';
  constructor(public value: number) {}
  set(s: string): void {
    try {
      this.value = parseGoDuration(s);
    } catch (e) {
      throw new FlagValueError(e instanceof Error ? e.message : String(e));
    }
  }
  toString(): string { return formatGoDuration(this.value); }
  isZero(def: string): boolean { return def === '0' || def === '0s'; }
}

export type Validator = (s: string) => string;

/** docker's ListOpts: a repeatable flag; the validator may rewrite or reject each value. */
export class ListValue implements FlagValue<string[]> {
  readonly type: string;
  value: string[];
  private readonly bracketsWhenEmpty: boolean;
  constructor(readonly validator?: Validator, opts: { type?: string; initial?: string[]; bracketsWhenEmpty?: boolean } = {}) {
    this.type = opts.type ?? 'list';
    this.value = [...(opts.initial ?? [])];
    this.bracketsWhenEmpty = opts.bracketsWhenEmpty ?? false;
  }
  set(s: string): void {
    this.value.push(this.validator ? this.validator(s) : s);
  }
  // docker's ListOpts print "" when empty, its device lists "[]" (shown as a default).
  toString(): string { return this.value.length === 0 && !this.bracketsWhenEmpty ? '' : `[${this.value.join(' ')}]`; }
  isZero(def: string): boolean { return ZERO_STRINGS.has(def); }
}

/** docker's MapOpts: repeatable `key=value`, later keys win. */
export class MapValue implements FlagValue<Map<string, string>> {
  readonly type = 'map';
  readonly value = new Map<string, string>();
  constructor(readonly validator?: Validator) {}
  set(s: string): void {
    const v = this.validator ? this.validator(s) : s;
    const eq = v.indexOf('=');
    if (eq < 0) this.value.set(v, '');
    else this.value.set(v.slice(0, eq), v.slice(eq + 1));
  }
  toString(): string {
    const keys = [...this.value.keys()].sort();
    return `map[${keys.map((k) => `${k}:${this.value.get(k)}`).join(' ')}]`;
  }
  isZero(def: string): boolean { return ZERO_STRINGS.has(def); }
}

/** docker's FilterOpt: repeatable `name=value`, names lower-cased. */
export class FilterValue implements FlagValue<Record<string, string[]>> {
  readonly type = 'filter';
  readonly value: Record<string, string[]> = {};
  set(s: string): void {
    if (s === '') return;
    const eq = s.indexOf('=');
    if (eq < 0) throw new FlagValueError('bad format of filter (expected name=value)');
    const name = s.slice(0, eq).trim().toLowerCase();
    const v = s.slice(eq + 1).trim();
    (this.value[name] ??= []).includes(v) || this.value[name]!.push(v);
  }
  toString(): string {
    const doc: Record<string, Record<string, boolean>> = {};
    for (const [k, vs] of Object.entries(this.value)) doc[k] = Object.fromEntries(vs.map((v) => [v, true]));
    return JSON.stringify(doc);
  }
  isZero(def: string): boolean { return ZERO_STRINGS.has(def) || def === '{}'; }
}

/** docker's MemBytes / MemSwapBytes ("512m", "1g"; "-1" when `allowUnlimited`). */
export class BytesValue implements FlagValue<number> {
  readonly type = 'bytes';
  constructor(public value = 0, readonly allowUnlimited = false) {}
  set(s: string): void {
    if (this.allowUnlimited && s === '-1') {
      this.value = -1;
      return;
    }
    try {
      this.value = parseRamBytes(s);
    } catch (e) {
      throw new FlagValueError(e instanceof Error ? e.message : String(e));
    }
  }
  toString(): string { return this.value === 0 ? '0' : bytesSize(this.value); }
  isZero(def: string): boolean { return ZERO_STRINGS.has(def); }
}

/** docker's NanoCPUs: a decimal number of CPUs ("1.5"), stored in billionths. */
export class NanoCpusValue implements FlagValue<number> {
  readonly type = 'decimal';
  value = 0;
  set(s: string): void {
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
    const frac = /^([+-]?\d+)\/(\d+)$/.exec(s);
    if (frac) {
      const n = BigInt(frac[1]!) * 1_000_000_000n;
      const d = BigInt(frac[2]!);
      if (d === 0n || n % d !== 0n) throw new FlagValueError(d === 0n ? `failed to parse ${s} as a rational number` : 'value is too precise');
      this.value = Number(n / d);
      return;
    }
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new FlagValueError(`failed to parse ${s} as a rational number`);
    const exp = Number(m[4] ?? 0) + 9;
    const digits = (m[2] ?? '') + (m[3] ?? '');
    const point = (m[2] ?? '').length + exp;
    const whole = point >= digits.length ? digits + '0'.repeat(point - digits.length) : digits.slice(0, Math.max(point, 0));
    const rest = point >= digits.length ? '' : digits.slice(Math.max(point, 0));
    if (/[1-9]/.test(rest)) throw new FlagValueError('value is too precise');
    this.value = Number(BigInt(whole || '0')) * (m[1] === '-' ? -1 : 1);
  }
  toString(): string { return this.value === 0 ? '' : String(this.value / 1e9); }
  isZero(def: string): boolean { return ZERO_STRINGS.has(def); }
}

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

const ULIMIT_NAMES = new Set(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']);

/** go-units ParseUlimit: `name=soft[:hard]`. */
export function parseUlimit(s: string): Ulimit {
  const eq = s.indexOf('=');
  if (eq < 0) throw new FlagValueError(`invalid ulimit argument: ${s}`);
  const name = s.slice(0, eq);
  if (!ULIMIT_NAMES.has(name)) throw new FlagValueError(`invalid ulimit type: ${name}`);
  const parts = s.slice(eq + 1).split(':');
  if (parts.length > 2) throw new FlagValueError(`too many limit value arguments - ${s.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  const num = (x: string): number => {
    if (!/^[+-]?\d+$/.test(x)) throw new FlagValueError(`strconv.ParseInt: parsing ${goQuote(x)}: invalid syntax`);
    return Number(x);
  };
  const soft = num(parts[0]!);
  const hard = parts.length === 2 ? num(parts[1]!) : soft;
  if (soft > hard) throw new FlagValueError(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { Name: name, Soft: soft, Hard: hard };
}

/** docker's UlimitOpt: repeatable, one entry per name. */
export class UlimitValue implements FlagValue<Ulimit[]> {
  readonly type = 'ulimit';
  private readonly byName = new Map<string, Ulimit>();
  get value(): Ulimit[] {
    return [...this.byName.values()];
  }
  set(s: string): void {
    const u = parseUlimit(s);
    this.byName.set(u.Name, u);
  }
  toString(): string {
    return `[${this.value.map((u) => `${u.Name}=${u.Soft}:${u.Hard}`).join(' ')}]`;
  }
  isZero(def: string): boolean { return ZERO_STRINGS.has(def); }
}
