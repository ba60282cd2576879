/** JSON as Go's encoding/json writes it for the JS value model of go-values.ts. */
import { kindOf, mapLookup } from './go-values.js';

/**
 * A value carrying this symbol as a method is encoded by calling it, like a Go
 * json.Marshaler: the returned text is inserted as it is.
 */
export const marshalJsonHook: unique symbol = Symbol('berth.template.marshalJSON');

export interface MarshalOptions {
  /** Escape <, > and & as \u003c, \u003e, \u0026 (json.Marshal does; docker's json function does not). */
  escapeHTML: boolean;
}

const SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** A Go JSON string: control characters, U+2028/U+2029 and (optionally) HTML characters escaped. */
export function goJsonString(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    const short = SHORT[ch];
    if (short !== undefined) out += short;
    else if (cp < 0x20 || (escapeHTML && (ch === '<' || ch === '>' || ch === '&'))) out += '\\u' + cp.toString(16).padStart(4, '0');
    else if (cp === 0x2028 || cp === 0x2029) out += '\\u' + cp.toString(16);
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

function hasHook(v: object): v is { [marshalJsonHook](): string } {
  return typeof (v as Record<symbol, unknown>)[marshalJsonHook] === 'function';
}

/** Encodes a value compactly, as json.Marshal (or an Encoder) would; throws Go's "json: unsupported ..." errors. */
export function marshalGoJson(v: unknown, opts: MarshalOptions): string {
  switch (kindOf(v)) {
    case 'invalid': case 'nil': return 'null';
    case 'bool': return v ? 'true' : 'false';
    case 'int': return String(v);
    case 'float': {
      const n = v as number;
      if (!Number.isFinite(n)) throw new Error(`json: unsupported value: ${Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf'}`);
      // JS and Go agree on shortest digits and on switching to exponents below 1e-6 and from 1e21.
      return Object.is(n, -0) ? '-0' : String(n);
    }
    case 'string': return goJsonString(v as string, opts.escapeHTML);
    case 'time': return goJsonString((v as Date).toISOString(), opts.escapeHTML);
    case 'func': throw new Error('json: unsupported type: func()');
    case 'slice': return '[' + Array.from(v as ArrayLike<unknown>, (e) => marshalGoJson(e, opts)).join(',') + ']';
    case 'map': {
      const o = v as object;
      if (hasHook(o)) return o[marshalJsonHook]();
      // Maps are sorted like Go maps; plain objects keep their order, like the Go structs they usually mirror.
      const entries: Array<[string, unknown]> = o instanceof Map
        ? [...o.entries()].map(([k, val]): [string, unknown] => [String(k), val]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        : Object.keys(o).map((k) => [k, mapLookup(o, k)]);
      const parts: string[] = [];
      for (const [k, val] of entries) {
        if (val === undefined || typeof val === 'function') continue;
        parts.push(goJsonString(k, opts.escapeHTML) + ':' + marshalGoJson(val, opts));
      }
      return '{' + parts.join(',') + '}';
    }
  }
}
