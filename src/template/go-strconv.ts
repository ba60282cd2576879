/** The parts of Go's strconv that templates need: quoting, unquoting, number literals, float text. */

import { goQuote, goQuoteRune, isPrint } from '../base/index.js';

export { goQuote, goQuoteRune, isPrint };

/** strconv.CanBackquote. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '`' || cp === 0xfeff || (cp < 0x20 && ch !== '\t') || cp === 0x7f) return false;
  }
  return true;
}

/** A Go literal that does not parse; the message is strconv's. */
export class SyntaxError extends Error {}

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

/**
 * Decodes the escapes of a Go interpreted literal body into UTF-8 bytes.
 * Returns the bytes and how many characters of `body` were consumed per rune when `single`.
 */
function decodeEscapes(body: string, quote: string, single: boolean): { bytes: number[]; runes: number } {
  const bytes: number[] = [];
  let runes = 0;
  let i = 0;
  const pushCp = (cp: number): void => { bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8')); };
  while (i < body.length) {
    const ch = body[i] as string;
    if (ch === quote && !single) throw new SyntaxError('invalid syntax');
    if (ch !== '\\') {
      const cp = body.codePointAt(i) ?? 0;
      pushCp(cp);
      i += cp > 0xffff ? 2 : 1;
      runes++;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) throw new SyntaxError('invalid syntax');
    i += 2;
    runes++;
    if (e in SIMPLE_ESCAPES) { bytes.push(SIMPLE_ESCAPES[e] as number); continue; }
    if (e === quote) { bytes.push(quote.charCodeAt(0)); continue; }
    if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const digits = body.slice(i, i + n);
      if (digits.length !== n || !/^[0-9a-fA-F]+$/.test(digits)) throw new SyntaxError('invalid syntax');
      i += n;
      const v = parseInt(digits, 16);
      if (e === 'x') { bytes.push(v); continue; }
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new SyntaxError('invalid syntax');
      pushCp(v);
      continue;
    }
    if (e >= '0' && e <= '7') {
      const digits = body.slice(i - 1, i + 2);
      if (!/^[0-7]{3}$/.test(digits)) throw new SyntaxError('invalid syntax');
      const v = parseInt(digits, 8);
      if (v > 255) throw new SyntaxError('invalid syntax');
      i += 2;
      bytes.push(v);
      continue;
    }
    throw new SyntaxError('invalid syntax');
  }
  return { bytes, runes };
}

/** strconv.Unquote for "..." and `...` literals. */
export function goUnquote(lit: string): string {
  const q = lit[0];
  if (lit.length < 2 || lit[lit.length - 1] !== q) throw new SyntaxError('invalid syntax');
  const body = lit.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new SyntaxError('invalid syntax');
    return body.replaceAll('\r', '');
  }
  if (q !== '"' || body.includes('\n')) throw new SyntaxError('invalid syntax');
  return Buffer.from(decodeEscapes(body, '"', false).bytes).toString('utf8');
}

/** The code point of a Go character literal such as 'a' or '\n'. */
export function goUnquoteChar(lit: string): number {
  const body = lit.slice(1, -1);
  if (lit.length < 3 || lit[0] !== "'" || lit[lit.length - 1] !== "'") throw new SyntaxError('invalid syntax');
  let cp: number;
  if (body[0] === '\\') {
    const { bytes, runes } = decodeEscapes(body, "'", true);
    if (runes !== 1) throw new SyntaxError(`malformed character constant: ${lit}`);
    const esc = body[1];
    cp = esc === 'x' || (esc !== undefined && esc >= '0' && esc <= '7') ? (bytes[0] ?? 0) : (Buffer.from(bytes).toString('utf8').codePointAt(0) ?? 0);
  } else {
    const chars = [...body];
    if (chars.length !== 1) throw new SyntaxError(`malformed character constant: ${lit}`);
    cp = chars[0]?.codePointAt(0) ?? 0;
  }
  return cp;
}

/** strconv.ParseInt(text, 0, 64) as a bigint, or undefined when it does not parse. */
export function parseGoInt(text: string): bigint | undefined {
  const m = /^([+-]?)(0[xX]|0[oO]|0[bB]|0(?=[0-9_])|)([0-9a-fA-F_]*)$/.exec(text);
  if (!m) return undefined;
  const [, sign, prefix = '', digits = ''] = m;
  const base = /x/i.test(prefix) ? 16 : /o/i.test(prefix) || prefix === '0' ? 8 : /b/i.test(prefix) ? 2 : 10;
  if (digits === '' && prefix !== '0') return undefined;
  // Underscores only separate digits or follow a base prefix.
  if (digits.includes('_') && !(/^_?[^_]+(_[^_]+)*$/.test(digits) && (prefix !== '' || !digits.startsWith('_')))) return undefined;
  const clean = digits.replaceAll('_', '');
  const valid = { 2: /^[01]*$/, 8: /^[0-7]*$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base];
  if (!valid.test(clean)) return undefined;
  const pre = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  let v = clean === '' ? 0n : BigInt(pre + clean);
  if (sign === '-') v = -v;
  return v;
}

/** strconv.ParseFloat(text, 64) for Go float literals (decimal and hex), or undefined. */
export function parseGoFloat(text: string): number | undefined {
  const t = text.replaceAll('_', '');
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(t);
  if (!m) return undefined;
  const [, sign, int = '', frac = '', exp = '0'] = m;
  if (int === '' && frac === '') return undefined;
  const mant = parseInt(int + frac || '0', 16) / 16 ** frac.length;
  const v = mant * 2 ** Number(exp);
  return sign === '-' ? -v : v;
}

/** Decimal digits of a positive finite double: value = 0.d1d2d3... × 10^dp. */
interface Decimal { digits: string; dp: number }

/** The shortest digits that round-trip, as Go's strconv and JS both produce. */
function shortestDecimal(x: number): Decimal {
  const [mant = '0', exp = '0'] = x.toExponential().split('e');
  const digits = mant.replace('.', '');
  return { digits, dp: Number(exp) + 1 };
}

/** The exact decimal expansion of a positive finite double. */
function exactDecimal(x: number): Decimal {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e2: number;
  if (expBits === 0) e2 = -1074;
  else { mant |= 1n << 52n; e2 = expBits - 1075; }
  let digits: string;
  let dp: number;
  if (e2 >= 0) {
    digits = (mant << BigInt(e2)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-e2)).toString();
    dp = digits.length + e2;
  }
  const trimmed = digits.replace(/0+$/, '');
  return { digits: trimmed === '' ? '0' : trimmed, dp };
}

/** Rounds to n significant digits, half to even on exact ties (as strconv does). */
function roundDecimal(d: Decimal, n: number): Decimal {
  if (n < 0) return { digits: '', dp: d.dp };
  if (d.digits.length <= n) return d;
  const next = d.digits.charCodeAt(n) - 48;
  const rest = d.digits.slice(n + 1);
  const prev = n > 0 ? d.digits.charCodeAt(n - 1) - 48 : 0;
  const up = next > 5 || (next === 5 && (/[1-9]/.test(rest) || prev % 2 === 1));
  const kept = [...d.digits.slice(0, n)].map(Number);
  let dp = d.dp;
  if (up) {
    let i = kept.length - 1;
    while (i >= 0 && kept[i] === 9) { kept[i] = 0; i--; }
    if (i < 0) { kept.unshift(1); dp++; } else kept[i] = (kept[i] as number) + 1;
  }
  return { digits: kept.join('').replace(/0+$/, ''), dp };
}

function digitAt(d: Decimal, i: number): string {
  return i >= 0 && i < d.digits.length ? (d.digits[i] as string) : '0';
}

function formatE(d: Decimal, prec: number, upper: boolean): string {
  let out = d.digits === '' ? '0' : digitAt(d, 0);
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) out += digitAt(d, i);
  }
  const exp = d.digits === '' || d.digits === '0' ? 0 : d.dp - 1;
  const e = Math.abs(exp).toString().padStart(2, '0');
  return out + (upper ? 'E' : 'e') + (exp < 0 ? '-' : '+') + e;
}

function formatF(d: Decimal, prec: number): string {
  let out = '';
  if (d.dp > 0) for (let i = 0; i < d.dp; i++) out += digitAt(d, i);
  else out = '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) out += digitAt(d, d.dp + i);
  }
  return out;
}

/**
 * strconv.FormatFloat(x, fmt, prec, 64) for fmt in e E f F g G; prec -1 means shortest.
 * The result always starts with a sign ('+' or '-') so callers can apply fmt's flags.
 */
export function formatFloat(x: number, verb: 'e' | 'E' | 'f' | 'F' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(x)) return '+NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '+';
  const ax = Math.abs(x);
  const shortest = prec < 0;
  let d: Decimal;
  // Zero is "0" with dp 1, as strconv's decimal represents it for formatting.
  if (ax === 0) d = { digits: '0', dp: 1 };
  else if (shortest) d = shortestDecimal(ax);
  else {
    const exact = exactDecimal(ax);
    switch (verb) {
      case 'e': case 'E': d = roundDecimal(exact, prec + 1); break;
      case 'f': case 'F': d = roundDecimal(exact, exact.dp + prec); break;
      default: d = roundDecimal(exact, prec === 0 ? 1 : prec);
    }
    if (d.digits === '') d = { digits: '0', dp: d.dp };
  }
  const nd = d.digits === '0' ? 1 : d.digits.length;
  switch (verb) {
    case 'e': case 'E':
      return sign + formatE(d, shortest ? nd - 1 : prec, verb === 'E');
    case 'f': case 'F':
      return sign + formatF(d, shortest ? Math.max(nd - d.dp, 0) : prec);
    default: {
      let p = shortest ? nd : prec === 0 ? 1 : prec;
      let eprec = p;
      if (eprec > nd && nd >= d.dp) eprec = nd;
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (p > nd) p = nd;
        return sign + formatE(d, p - 1, verb === 'G');
      }
      if (p > d.dp) p = nd;
      return sign + formatF(d, Math.max(p - d.dp, 0));
    }
  }
}
