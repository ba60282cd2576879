/** Go's fmt.Sprint, Sprintln and Sprintf over the JS value model of go-values.ts. */
import { canBackquote, formatFloat, goQuote, goQuoteRune, isPrint } from './go-strconv.js';
import { isGoInt, kindOf, sortedEntries, typeName } from './go-values.js';

interface Flags {
  plus: boolean; minus: boolean; sharp: boolean; space: boolean; zero: boolean;
  plusV: boolean; sharpV: boolean;
  wid: number; widPresent: boolean; prec: number; precPresent: boolean;
}

function noFlags(): Flags {
  return { plus: false, minus: false, sharp: false, space: false, zero: false, plusV: false, sharpV: false, wid: 0, widPresent: false, prec: 0, precPresent: false };
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** time.Time's String() for a Date, in UTC. */
export function goTimeString(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const ms = d.getUTCMilliseconds();
  const frac = ms === 0 ? '' : '.' + p(ms, 3).replace(/0+$/, '');
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac} +0000 UTC`;
}

const TOO_LARGE = 1e6;

class Printer {
  buf = '';
  f: Flags = noFlags();

  private padding(n: number): string {
    if (n <= 0) return '';
    return (this.f.zero && !this.f.minus ? '0' : ' ').repeat(n);
  }

  pad(s: string): void {
    if (!this.f.widPresent || this.f.wid === 0) { this.buf += s; return; }
    const width = this.f.wid - runeCount(s);
    if (this.f.minus) this.buf += s + ' '.repeat(Math.max(width, 0));
    else this.buf += this.padding(width) + s;
  }

  private withoutZero(fn: () => void): void {
    const old = this.f.zero;
    this.f.zero = false;
    fn();
    this.f.zero = old;
  }

  badVerb(verb: string, arg: unknown): void {
    this.buf += '%!' + verb + '(';
    if (arg === null || arg === undefined) this.buf += '<nil>';
    else { this.buf += typeName(arg) + '='; this.printArg(arg, 'v'); }
    this.buf += ')';
  }

  printArg(arg: unknown, verb: string): void {
    if (arg === null || arg === undefined) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === 'T') { this.pad(typeName(arg)); return; }
    this.printValue(arg, verb, 0);
  }

  printValue(v: unknown, verb: string, depth: number): void {
    switch (kindOf(v)) {
      case 'invalid': case 'nil':
        if (depth === 0) this.printArg(null, verb);
        else this.buf += this.f.sharpV ? 'interface {}(nil)' : '<nil>';
        return;
      case 'bool':
        if (verb === 't' || verb === 'v') this.pad(v ? 'true' : 'false');
        else this.badVerb(verb, v);
        return;
      case 'int':
        // Integral JS numbers may stand for Go floats (JSON numbers are float64), so float verbs accept them.
        if ('eEfFgG'.includes(verb)) this.fmtFloat(Number(v), verb);
        else this.fmtInt(BigInt(v as number | bigint), verb, v);
        return;
      case 'float': this.fmtFloat(v as number, verb); return;
      case 'string': this.fmtString(v as string, verb); return;
      case 'time': {
        // time.Time is a fmt.Stringer.
        if ('vsqxX'.includes(verb)) this.fmtString(goTimeString(v as Date), verb === 'v' ? 's' : verb);
        else this.badVerb(verb, v);
        return;
      }
      case 'func':
        if (verb === 'v' || verb === 'p') this.pad('0x0');
        else this.badVerb(verb, v);
        return;
      case 'slice': {
        const arr = Array.from(v as ArrayLike<unknown>);
        if (this.f.sharpV) {
          this.buf += '[]interface {}{';
          arr.forEach((e, i) => { if (i > 0) this.buf += ', '; this.printValue(e, verb, depth + 1); });
          this.buf += '}';
        } else {
          this.buf += '[';
          arr.forEach((e, i) => { if (i > 0) this.buf += ' '; this.printValue(e, verb, depth + 1); });
          this.buf += ']';
        }
        return;
      }
      case 'map': {
        const m = v as object;
        this.buf += this.f.sharpV ? 'map[string]interface {}{' : 'map[';
        sortedEntries(m).forEach(([k, val], i) => {
          if (i > 0) this.buf += this.f.sharpV ? ', ' : ' ';
          this.printValue(k, verb, depth + 1);
          this.buf += ':';
          this.printValue(val, verb, depth + 1);
        });
        this.buf += this.f.sharpV ? '}' : ']';
        return;
      }
    }
  }

  private fmtInt(u: bigint, verb: string, orig: unknown): void {
    switch (verb) {
      case 'v': case 'd': this.fmtInteger(u, 10, verb, false); return;
      case 'b': this.fmtInteger(u, 2, verb, false); return;
      case 'o': case 'O': this.fmtInteger(u, 8, verb, false); return;
      case 'x': this.fmtInteger(u, 16, verb, false); return;
      case 'X': this.fmtInteger(u, 16, verb, true); return;
      case 'c': this.pad(String.fromCodePoint(validRune(u))); return;
      case 'q': this.pad(goQuoteRune(validRune(u), this.f.plus)); return;
      case 'U': this.fmtUnicode(u); return;
      default: this.badVerb(verb, orig);
    }
  }

  private fmtInteger(value: bigint, base: number, verb: string, upper: boolean): void {
    const negative = value < 0n;
    const u = negative ? -value : value;
    let prec = 0;
    if (this.f.precPresent) {
      prec = this.f.prec;
      if (prec === 0 && u === 0n) { this.withoutZero(() => { this.buf += ' '.repeat(Math.max(this.f.wid, 0)); }); return; }
    } else if (this.f.zero && !this.f.minus && this.f.widPresent) {
      prec = this.f.wid;
      if (negative || this.f.plus || this.f.space) prec--;
    }
    let digits = u.toString(base);
    if (upper) digits = digits.toUpperCase();
    digits = digits.padStart(prec, '0');
    if (this.f.sharp) {
      if (base === 2) digits = '0b' + digits;
      else if (base === 8 && !digits.startsWith('0')) digits = '0' + digits;
      else if (base === 16) digits = (upper ? '0X' : '0x') + digits;
    }
    if (verb === 'O') digits = '0o' + digits;
    if (negative) digits = '-' + digits;
    else if (this.f.plus) digits = '+' + digits;
    else if (this.f.space) digits = ' ' + digits;
    this.withoutZero(() => this.pad(digits));
  }

  private fmtUnicode(u: bigint): void {
    if (u < 0n) u += 1n << 64n;
    let hex = u.toString(16).toUpperCase();
    const prec = this.f.precPresent && this.f.prec > 4 ? this.f.prec : 4;
    hex = 'U+' + hex.padStart(prec, '0');
    if (this.f.sharp && u >= 0n && u <= 0x10ffffn && isPrint(Number(u))) hex += " '" + String.fromCodePoint(Number(u)) + "'";
    this.withoutZero(() => this.pad(hex));
  }

  private fmtFloat(v: number, verb: string): void {
    switch (verb) {
      case 'v': this.fmtFloatAs(v, 'g', -1, 'v'); return;
      case 'g': case 'G': case 'x': case 'X': this.fmtFloatAs(v, verb, -1, verb); return;
      case 'b': this.fmtFloatAs(v, 'g', -1, verb); return;
      case 'e': case 'E': case 'f': case 'F': this.fmtFloatAs(v, verb, 6, verb); return;
      default: this.badVerb(verb, v);
    }
  }

  private fmtFloatAs(v: number, conv: 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'x' | 'X', defaultPrec: number, verb: string): void {
    const prec = this.f.precPresent ? this.f.prec : defaultPrec;
    let num = conv === 'x' || conv === 'X' ? formatHexFloat(v, prec, conv === 'X') : formatFloat(v, conv, prec);
    if (this.f.space && num[0] === '+' && !this.f.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      if (num[1] === 'N' && !this.f.space && !this.f.plus) num = num.slice(1);
      this.withoutZero(() => this.pad(num));
      return;
    }
    if (this.f.sharp && verb !== 'b') num = sharpFloat(num, verb, prec);
    if (this.f.plus || num[0] !== '+') {
      if (this.f.zero && !this.f.minus && this.f.widPresent && this.f.wid > num.length) {
        this.buf += num[0] + '0'.repeat(this.f.wid - num.length) + num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  private truncate(s: string): string {
    if (!this.f.precPresent) return s;
    return [...s].slice(0, this.f.prec).join('');
  }

  private fmtString(s: string, verb: string): void {
    switch (verb) {
      case 'v': if (this.f.sharpV) this.fmtQ(s); else this.pad(this.truncate(s)); return;
      case 's': this.pad(this.truncate(s)); return;
      case 'x': this.fmtSx(s, false); return;
      case 'X': this.fmtSx(s, true); return;
      case 'q': this.fmtQ(s); return;
      default: this.badVerb(verb, s);
    }
  }

  private fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) this.pad('`' + s + '`');
    else this.pad(goQuote(s, this.f.plus));
  }

  private fmtSx(s: string, upper: boolean): void {
    let bytes = [...Buffer.from(s, 'utf8')];
    if (this.f.precPresent && this.f.prec < bytes.length) bytes = bytes.slice(0, this.f.prec);
    if (bytes.length === 0) { if (this.f.widPresent) this.buf += ' '.repeat(this.f.wid); return; }
    const prefix = upper ? '0X' : '0x';
    let out = '';
    if (this.f.sharp && !this.f.space) out += prefix;
    bytes.forEach((b, i) => {
      if (this.f.space && i > 0) out += ' ';
      if (this.f.space && this.f.sharp) out += prefix;
      const h = b.toString(16).padStart(2, '0');
      out += upper ? h.toUpperCase() : h;
    });
    this.withoutZero(() => this.pad(out));
  }
}

/** The # flag on floats: always a decimal point, and %g keeps its trailing zeros. */
function sharpFloat(num: string, verb: string, prec: number): string {
  let digits = 'vgGxX'.includes(verb) ? (prec === -1 ? 6 : prec) : 0;
  const m = /[eEpP]/.exec(num.slice(1));
  const cut = m && !((verb === 'x' || verb === 'X') && /[eE]/.test(m[0])) ? m.index + 1 : num.length;
  const tail = num.slice(cut);
  let body = num.slice(0, cut);
  let sawNonzero = false;
  for (const c of body.slice(1)) {
    if (c === '.') continue;
    if (c !== '0') sawNonzero = true;
    if (sawNonzero) digits--;
  }
  if (!body.includes('.')) {
    if (body.length === 2 && body[1] === '0') digits--;
    body += '.';
  }
  if (digits > 0) body += '0'.repeat(digits);
  return body + tail;
}

/** strconv's 'x' format: -0x1.8p+00. prec -1 is the shortest exact form. */
function formatHexFloat(x: number, prec: number, upper: boolean): string {
  if (Number.isNaN(x)) return '+NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '+';
  let mant = 0n;
  let exp = 0;
  if (x !== 0) {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, Math.abs(x));
    const bits = view.getBigUint64(0);
    const e = Number((bits >> 52n) & 0x7ffn);
    mant = bits & ((1n << 52n) - 1n);
    if (e === 0) {
      // Subnormal: normalise so the leading 1 sits at bit 52.
      exp = -1022;
      while (mant < (1n << 52n)) { mant <<= 1n; exp--; }
      mant &= (1n << 52n) - 1n;
    } else {
      exp = e - 1023;
    }
  }
  let lead = x === 0 ? 0n : 1n;
  let frac = mant.toString(16).padStart(13, '0');
  if (prec >= 0 && prec < 13) {
    // Round the 52 fraction bits to prec hex digits, half to even.
    const shift = BigInt((13 - prec) * 4);
    let full = (lead << 52n) | mant;
    const rem = full & ((1n << shift) - 1n);
    full >>= shift;
    const half = 1n << (shift - 1n);
    if (rem > half || (rem === half && (full & 1n) === 1n)) full += 1n;
    if (full >> BigInt(prec * 4) > 1n) { full >>= 1n; exp++; }
    lead = full >> BigInt(prec * 4);
    frac = prec === 0 ? '' : (full & ((1n << BigInt(prec * 4)) - 1n)).toString(16).padStart(prec, '0');
  } else if (prec < 0) {
    frac = frac.replace(/0+$/, '');
  } else {
    frac = frac.padEnd(prec, '0');
  }
  let out = '0x' + lead.toString() + (frac === '' ? '' : '.' + frac) + 'p' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
  if (upper) out = out.toUpperCase();
  return sign + out;
}

function validRune(u: bigint): number {
  return u < 0n || u > 0x10ffffn || (u >= 0xd800n && u <= 0xdfffn) ? 0xfffd : Number(u);
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) p.buf += ' ';
    p.printArg(arg, 'v');
    prevString = isString;
  });
  return p.buf;
}

/** fmt.Sprintln: spaces between all operands and a trailing newline. */
export function sprintln(args: readonly unknown[]): string {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) p.buf += ' ';
    p.printArg(arg, 'v');
  });
  return p.buf + '\n';
}

function parseNum(s: string, start: number): { num: number; isNum: boolean; next: number } {
  let num = 0;
  let isNum = false;
  let i = start;
  for (; i < s.length && s[i]! >= '0' && s[i]! <= '9'; i++) {
    if (num > TOO_LARGE) return { num: 0, isNum: false, next: s.length };
    num = num * 10 + (s.charCodeAt(i) - 48);
    isNum = true;
  }
  return { num, isNum, next: i };
}

/** fmt.Sprintf with Go's verbs, flags, widths, precisions, [n] indexes and error notations. */
export function sprintf(format: string, args: readonly unknown[]): string {
  const p = new Printer();
  let argNum = 0;
  let reordered = false;
  let goodArgNum = true;
  const end = format.length;

  const argNumber = (i: number): { i: number; found: boolean } => {
    if (i >= end || format[i] !== '[') return { i, found: false };
    reordered = true;
    const close = format.indexOf(']', i + 1);
    if (close < 0 || close - i < 2) { goodArgNum = false; return { i: i + 1, found: false }; }
    const n = parseNum(format, i + 1);
    if (!n.isNum || n.next !== close) { goodArgNum = false; return { i: close + 1, found: false }; }
    const index = n.num - 1;
    if (index >= 0 && index < args.length) { argNum = index; return { i: close + 1, found: true }; }
    goodArgNum = false;
    return { i: close + 1, found: true };
  };
  const intFromArg = (): { num: number; ok: boolean } => {
    if (argNum >= args.length) return { num: 0, ok: false };
    const a = args[argNum++];
    if (!isGoInt(a)) return { num: 0, ok: false };
    const num = Number(a);
    return Math.abs(num) > TOO_LARGE ? { num: 0, ok: false } : { num, ok: true };
  };

  let i = 0;
  while (i < end) {
    goodArgNum = true;
    const lasti = i;
    while (i < end && format[i] !== '%') i++;
    if (i > lasti) p.buf += format.slice(lasti, i);
    if (i >= end) break;
    i++;
    p.f = noFlags();
    for (; i < end; i++) {
      const c = format[i];
      if (c === '#') p.f.sharp = true;
      else if (c === '0') p.f.zero = !p.f.minus;
      else if (c === '+') p.f.plus = true;
      else if (c === '-') { p.f.minus = true; p.f.zero = false; }
      else if (c === ' ') p.f.space = true;
      else break;
    }
    let r = argNumber(i);
    i = r.i;
    let afterIndex = r.found;
    if (i < end && format[i] === '*') {
      i++;
      const w = intFromArg();
      p.f.wid = w.num; p.f.widPresent = w.ok;
      if (!w.ok) p.buf += '%!(BADWIDTH)';
      if (p.f.wid < 0) { p.f.wid = -p.f.wid; p.f.minus = true; p.f.zero = false; }
      afterIndex = false;
    } else {
      const n = parseNum(format, i);
      p.f.wid = n.num; p.f.widPresent = n.isNum; i = n.next;
      if (afterIndex && p.f.widPresent) goodArgNum = false;
    }
    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      r = argNumber(i);
      i = r.i;
      afterIndex = r.found;
      if (i < end && format[i] === '*') {
        i++;
        const pr = intFromArg();
        p.f.prec = pr.num; p.f.precPresent = pr.ok;
        if (p.f.prec < 0) { p.f.prec = 0; p.f.precPresent = false; }
        if (!pr.ok) p.buf += '%!(BADPREC)';
        afterIndex = false;
      } else {
        const n = parseNum(format, i);
        p.f.prec = n.num; p.f.precPresent = true; i = n.next;
      }
    }
    if (!afterIndex) { r = argNumber(i); i = r.i; afterIndex = r.found; }
    if (i >= end) { p.buf += '%!(NOVERB)'; break; }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === '%') { p.buf += '%'; continue; }
    if (!goodArgNum) { p.buf += '%!' + verb + '(BADINDEX)'; continue; }
    if (argNum >= args.length) { p.buf += '%!' + verb + '(MISSING)'; continue; }
    if (verb === 'w') { p.badVerb(verb, args[argNum++]); continue; }
    if (verb === 'v') {
      p.f.sharpV = p.f.sharp; p.f.sharp = false;
      p.f.plusV = p.f.plus; p.f.plus = false;
    }
    p.printArg(args[argNum++], verb);
  }
  if (!reordered && argNum < args.length) {
    p.f = noFlags();
    p.buf += '%!(EXTRA ';
    args.slice(argNum).forEach((arg, k) => {
      if (k > 0) p.buf += ', ';
      if (arg === null || arg === undefined) p.buf += '<nil>';
      else { p.buf += typeName(arg) + '='; p.printArg(arg, 'v'); }
    });
    p.buf += ')';
  }
  return p.buf;
}
