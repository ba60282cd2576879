// A small validator for request bodies, with Go's encoding/json semantics: the types a
// field accepts, the first type error in document order reported in Go's wording (clients
// and scripts match on it), unknown fields dropped, field names matched case-insensitively.
import { InvalidArgumentError } from '../../base/index.js';

/** A parsed JSON value that keeps number literals as written (Go decides on the text). */
export type JsonNode =
  | { t: 'null' }
  | { t: 'bool'; v: boolean }
  | { t: 'num'; raw: string }
  | { t: 'str'; v: string }
  | { t: 'arr'; items: JsonNode[] }
  | { t: 'obj'; entries: Array<[string, JsonNode]> };

export type IntType = 'int' | 'int64' | 'int32' | 'uint' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'time.Duration' | 'fs.FileMode';

/** The Go type a field decodes into. `go` names the type as Go's errors print it. */
export type Schema =
  | { k: 'bool'; go?: string }
  | { k: 'string'; go?: string }
  | { k: 'int'; go: IntType }
  | { k: 'float'; go: 'float64' | 'float32' }
  | { k: 'array'; of: Schema; go?: string }
  | { k: 'map'; of: Schema; go?: string }
  | { k: 'struct'; name: string; go: string; fields: Record<string, Schema> }
  /** strslice.StrSlice: a string or an array of strings. */
  | { k: 'strslice' }
  /** interface{}: anything. */
  | { k: 'any' };

export const bool: Schema = { k: 'bool' };
export const str: Schema = { k: 'string' };
export const named = (go: string): Schema => ({ k: 'string', go });
export const int = (go: IntType): Schema => ({ k: 'int', go });
export const arrayOf = (of: Schema, go?: string): Schema => (go ? { k: 'array', of, go } : { k: 'array', of });
export const mapOf = (of: Schema, go?: string): Schema => (go ? { k: 'map', of, go } : { k: 'map', of });
export const struct = (go: string, fields: Record<string, Schema>): Schema => ({ k: 'struct', name: go.includes('.') ? go.slice(go.lastIndexOf('.') + 1) : '', go, fields });
export const strslice: Schema = { k: 'strslice' };
export const anyValue: Schema = { k: 'any' };
export const emptyStruct: Schema = struct('struct {}', {});

export function goType(s: Schema): string {
  switch (s.k) {
    case 'bool': return s.go ?? 'bool';
    case 'string': return s.go ?? 'string';
    case 'int': case 'float': case 'struct': return s.go;
    case 'array': return s.go ?? `[]${goType(s.of)}`;
    case 'map': return s.go ?? `map[string]${goType(s.of)}`;
    case 'strslice': return 'strslice.StrSlice';
    case 'any': return 'interface {}';
  }
}

// ---- parsing -------------------------------------------------------------------------------

/**
 * Parse one JSON document as Go's json.Decoder reads a request body. Undefined for an empty
 * body; syntax errors carry Go's texts behind "invalid JSON: ".
 */
export function parseJsonDocument(text: string): JsonNode | undefined {
  const p = new Parser(text);
  p.ws();
  if (p.i >= text.length) return undefined;
  const v = p.value();
  p.ws();
  if (p.i < text.length) throw new InvalidArgumentError('unexpected content after JSON');
  return v;
}

// Go allows 10000 levels; a recursive parser keeps well inside Node's stack with fewer.
const MAX_DEPTH = 1000;

class Parser {
  i = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  ws(): void {
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.i++;
      else break;
    }
  }

  private fail(context: string): never {
    if (this.i >= this.s.length) throw new InvalidArgumentError('invalid JSON: unexpected EOF');
    throw new InvalidArgumentError(`invalid JSON: invalid character ${quoteChar(this.s[this.i]!)} ${context}`);
  }

  value(): JsonNode {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return { t: 'str', v: this.string() };
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return { t: 'num', raw: this.number() };
    for (const [word, node] of [['true', { t: 'bool', v: true }], ['false', { t: 'bool', v: false }], ['null', { t: 'null' }]] as const) {
      if (c === word[0]) {
        for (let k = 0; k < word.length; k++, this.i++) {
          if (this.s[this.i] !== word[k]) this.fail(`in literal ${word} (expecting ${quoteChar(word[k]!)})`);
        }
        return node;
      }
    }
    return this.fail('looking for beginning of value');
  }

  private nest(): void {
    if (++this.depth > MAX_DEPTH) throw new InvalidArgumentError('invalid JSON: exceeded max depth');
  }

  private object(): JsonNode {
    this.nest();
    this.i++;
    const entries: Array<[string, JsonNode]> = [];
    this.ws();
    if (this.s[this.i] === '}') { this.i++; this.depth--; return { t: 'obj', entries }; }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('looking for beginning of object key string');
      const key = this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.fail('after object key');
      this.i++;
      entries.push([key, this.value()]);
      this.ws();
      const c = this.s[this.i];
      if (c === ',') { this.i++; continue; }
      if (c === '}') { this.i++; this.depth--; return { t: 'obj', entries }; }
      this.fail('after object key:value pair');
    }
  }

  private array(): JsonNode {
    this.nest();
    this.i++;
    const items: JsonNode[] = [];
    this.ws();
    if (this.s[this.i] === ']') { this.i++; this.depth--; return { t: 'arr', items }; }
    for (;;) {
      items.push(this.value());
      this.ws();
      const c = this.s[this.i];
      if (c === ',') { this.i++; continue; }
      if (c === ']') { this.i++; this.depth--; return { t: 'arr', items }; }
      this.fail('after array element');
    }
  }

  private string(): string {
    const start = ++this.i;
    let out = '';
    let from = start;
    for (;;) {
      if (this.i >= this.s.length) this.fail('');
      const c = this.s.charCodeAt(this.i);
      if (c === 0x22) { out += this.s.slice(from, this.i); this.i++; return out; }
      if (c < 0x20) this.fail('in string literal');
      if (c !== 0x5c) { this.i++; continue; }
      out += this.s.slice(from, this.i);
      const e = this.s[this.i + 1];
      if (e === undefined) { this.i++; this.fail(''); }
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e in simple) { out += simple[e]; this.i += 2; } else if (e === 'u') {
        const hex = this.s.slice(this.i + 2, this.i + 6);
        for (let k = 0; k < 4; k++) {
          if (!/[0-9a-fA-F]/.test(hex[k] ?? '')) { this.i += 2 + k; this.fail('in \\u hexadecimal character escape'); }
        }
        out += String.fromCharCode(parseInt(hex, 16));
        this.i += 6;
      } else { this.i++; this.fail('in string escape code'); }
      from = this.i;
    }
  }

  private number(): string {
    const start = this.i;
    if (this.s[this.i] === '-') this.i++;
    const digits = (): number => { const b = this.i; while (this.i < this.s.length && this.s[this.i]! >= '0' && this.s[this.i]! <= '9') this.i++; return this.i - b; };
    if (this.s[this.i] === '0') this.i++;
    else if (digits() === 0) this.fail('in numeric literal');
    if (this.s[this.i] === '.') { this.i++; if (digits() === 0) this.fail('after decimal point in numeric literal'); }
    if (this.s[this.i] === 'e' || this.s[this.i] === 'E') {
      this.i++;
      if (this.s[this.i] === '+' || this.s[this.i] === '-') this.i++;
      if (digits() === 0) this.fail('in exponent of numeric literal');
    }
    return this.s.slice(start, this.i);
  }
}

function quoteChar(c: string): string {
  if (c === "'") return `'\\''`;
  if (c === '"') return `'"'`;
  const code = c.charCodeAt(0);
  return code < 0x20 ? `'\\x${code.toString(16).padStart(2, '0')}'` : `'${c}'`;
}

// ---- decoding ------------------------------------------------------------------------------

const INT_RANGE: Record<IntType, [bigint, bigint]> = {
  int: [-(2n ** 63n), 2n ** 63n - 1n], int64: [-(2n ** 63n), 2n ** 63n - 1n], 'time.Duration': [-(2n ** 63n), 2n ** 63n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n], uint: [0n, 2n ** 64n - 1n], uint64: [0n, 2n ** 64n - 1n],
  uint8: [0n, 255n], uint16: [0n, 65535n], uint32: [0n, 2n ** 32n - 1n], 'fs.FileMode': [0n, 2n ** 32n - 1n],
};

interface Ctx { struct: string; fields: string[] }

function kindOf(n: JsonNode): string {
  return { null: 'null', bool: 'bool', num: 'number', str: 'string', arr: 'array', obj: 'object' }[n.t];
}

function typeError(value: string, type: string, ctx: Ctx | undefined): InvalidArgumentError {
  const where = ctx ? `Go struct field ${ctx.struct}.${ctx.fields.join('.')}` : 'Go value';
  return new InvalidArgumentError(`invalid JSON: json: cannot unmarshal ${value} into ${where} of type ${type}`);
}

/** Decode a node into the plain value `schema` allows, or throw Go's first type error. */
export function decodeNode(n: JsonNode, s: Schema, ctx?: Ctx): unknown {
  if (n.t === 'null') return null;
  switch (s.k) {
    case 'any':
      return plain(n);
    case 'bool':
      if (n.t !== 'bool') throw typeError(kindOf(n), goType(s), ctx);
      return n.v;
    case 'string':
      if (n.t !== 'str') throw typeError(kindOf(n), goType(s), ctx);
      return n.v;
    case 'int': {
      if (n.t !== 'num') throw typeError(kindOf(n), s.go, ctx);
      const [lo, hi] = INT_RANGE[s.go];
      if (!/^-?\d+$/.test(n.raw) || BigInt(n.raw) < lo || BigInt(n.raw) > hi) throw typeError(`number ${n.raw}`, s.go, ctx);
      return Number(n.raw);
    }
    case 'float': {
      if (n.t !== 'num') throw typeError(kindOf(n), s.go, ctx);
      const v = Number(n.raw);
      if (!Number.isFinite(v)) throw typeError(`number ${n.raw}`, s.go, ctx);
      return v;
    }
    case 'strslice':
      if (n.t === 'str') return [n.v];
      if (n.t !== 'arr' || n.items.some((x) => x.t !== 'str' && x.t !== 'null')) throw typeError(kindOf(n), 'string', ctx);
      return n.items.map((x) => (x.t === 'str' ? x.v : ''));
    case 'array':
      if (n.t !== 'arr') throw typeError(kindOf(n), goType(s), ctx);
      return n.items.map((x) => decodeNode(x, s.of, ctx) ?? zeroOf(s.of));
    case 'map': {
      if (n.t !== 'obj') throw typeError(kindOf(n), goType(s), ctx);
      const out: Record<string, unknown> = {};
      // defineProperty: a key named "__proto__" is a label like any other, not the object's prototype.
      for (const [k, v] of n.entries) Object.defineProperty(out, k, { value: decodeNode(v, s.of, ctx) ?? zeroOf(s.of), enumerable: true, writable: true, configurable: true });
      return out;
    }
    case 'struct': {
      if (n.t !== 'obj') throw typeError(kindOf(n), s.go, ctx);
      const out: Record<string, unknown> = {};
      const names = Object.keys(s.fields);
      for (const [k, v] of n.entries) {
        const name = k in s.fields ? k : names.find((f) => f.toLowerCase() === k.toLowerCase());
        if (name === undefined) continue;
        out[name] = decodeNode(v, s.fields[name]!, { struct: s.name, fields: [...(ctx?.fields ?? []), name] });
      }
      return out;
    }
  }
}

/** What Go leaves in an element that was null: the zero value of the element's type. */
function zeroOf(s: Schema): unknown {
  switch (s.k) {
    case 'bool': return false;
    case 'string': return '';
    case 'int': case 'float': return 0;
    case 'struct': return {};
    default: return null;
  }
}

function plain(n: JsonNode): unknown {
  switch (n.t) {
    case 'null': return null;
    case 'bool': case 'str': return n.v;
    case 'num': return Number(n.raw);
    case 'arr': return n.items.map(plain);
    case 'obj': return Object.fromEntries(n.entries.map(([k, v]) => [k, plain(v)]));
  }
}

/** Parse and decode a body; `undefined` when the body is empty. */
export function decodeJsonBody<T>(text: string, schema: Schema): T | undefined {
  const node = parseJsonDocument(text);
  return node === undefined ? undefined : (decodeNode(node, schema) as T);
}

/** Every string anywhere in a decoded value, with the path of the field that holds it. */
export function* stringsOf(v: unknown, path: string): Generator<[string, string]> {
  if (typeof v === 'string') yield [path, v];
  else if (Array.isArray(v)) for (const x of v) yield* stringsOf(x, path);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      yield [path ? `${path} key` : 'key', k];
      yield* stringsOf(x, path ? `${path}.${k}` : k);
    }
  }
}
