import { InvalidArgumentError } from './errors.js';
import { parseGoDuration } from './units.js';

/**
 * Docker's time values for `--since`, `--until` and the `until` filters, as its GetTimestamp
 * and ParseTimestamps read them (moby api/types/time):
 * - a Go duration ("10m", "1h30m", "-5s"), counted back from now;
 * - an RFC 3339 date or date-time, whole or cut short ("2006-01-02", "2006-01-02T15",
 *   "2006-01-02T15:04", with or without fraction), with a zone ("Z", "+07:00", "-00:00") or
 *   in the local zone when it has none;
 * - Unix seconds with an optional fraction ("1136073600", "1136073600.000000001").
 */

export interface TimeValueOptions {
  /** The reference for durations, epoch milliseconds (default: now). */
  now?: number;
  /** The zone of values that have none, minutes east of UTC (default: the local zone's offset at `now`). */
  zoneOffsetMinutes?: number;
}

/**
 * Docker's GetTimestamp: the value as Unix seconds, the form the API takes: "<sec>" for a
 * duration, "<sec>.<9 digits>" for a date, and a Unix timestamp as given.
 */
export function getTimestamp(value: string, opts: TimeValueOptions = {}): string {
  const now = opts.now ?? Date.now();
  if (value !== '0') {
    const back = durationMs(value);
    if (back !== undefined) return String(Math.floor((now - back) / 1000));
  }
  const local = !/[zZ+]/.test(value) && count(value, '-') !== 3;
  const layout = layoutFor(value, local);
  const zone = local ? (opts.zoneOffsetMinutes ?? -new Date(now).getTimezoneOffset()) : undefined;
  const parsed = parseLayout(value, layout, zone);
  if (typeof parsed === 'string') {
    // with a "-" it was meant as a date: Go's parse error; without one, a Unix timestamp or nothing
    if (value.includes('-')) throw new InvalidArgumentError(parsed);
    if (splitTimestamp(value) === undefined) throw new InvalidArgumentError(`failed to parse value as time or duration: ${goQuote(value)}`);
    return value;
  }
  return `${parsed.seconds}.${String(parsed.nanos).padStart(9, '0')}`;
}

/** Docker's ParseTimestamps: "<sec>[.<fraction>]" as seconds and nanoseconds (a fraction past 9 digits is cut). */
export function parseTimestamps(value: string): { seconds: number; nanos: number } {
  const parts = splitTimestamp(value);
  if (parts) return parts;
  // Go parses the seconds, then the fraction, and names the part that failed
  const dot = value.indexOf('.');
  const sec = dot < 0 ? value : value.slice(0, dot);
  const failed = /^[+-]?\d+$/.test(sec) ? value.slice(dot + 1) : sec;
  throw new InvalidArgumentError(`strconv.ParseInt: parsing ${goQuote(failed)}: invalid syntax`);
}

/** A since/until value in any of Docker's forms, as epoch milliseconds. */
export function parseTimeValue(value: string, opts: TimeValueOptions = {}): number {
  const { seconds, nanos } = parseTimestamps(getTimestamp(value, opts));
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

/** A Go duration in milliseconds, or undefined when the value is not one. */
function durationMs(value: string): number | undefined {
  const sign = value.startsWith('-') ? -1 : 1;
  const body = value.startsWith('-') || value.startsWith('+') ? value.slice(1) : value;
  try {
    return sign * parseGoDuration(body);
  } catch {
    return undefined;
  }
}

function splitTimestamp(value: string): { seconds: number; nanos: number } | undefined {
  const dot = value.indexOf('.');
  const sec = dot < 0 ? value : value.slice(0, dot);
  if (!/^[+-]?\d+$/.test(sec)) return undefined;
  if (dot < 0) return { seconds: Number(sec), nanos: 0 };
  const frac = value.slice(dot + 1);
  if (!/^[+-]?\d+$/.test(frac)) return undefined;
  const digits = frac.replace(/^[+-]/, '').length;
  return { seconds: Number(sec), nanos: Math.trunc(Number(frac) * 10 ** (9 - digits)) };
}

/** The Go layout GetTimestamp picks for a value, by its dots, "T", colons and zone. */
function layoutFor(value: string, local: boolean): string {
  const zone = local ? '' : 'Z07:00';
  if (value.includes('.')) return `2006-01-02T15:04:05.999999999${zone}`;
  if (value.includes('T')) {
    let colons = count(value, ':');
    if (!local && !/[zZ]/.test(value) && colons > 0) colons--; // the offset's own colon
    const time = colons === 0 ? '15' : colons === 1 ? '15:04' : '15:04:05';
    return `2006-01-02T${time}${zone}`;
  }
  return `2006-01-02${zone}`;
}

const ELEMENTS = /2006|01|02|15|04|05|\.999999999|Z07:00|./g;

/**
 * Go's time.Parse for the layouts above: the seconds since the epoch and the nanoseconds, or
 * the text of Go's error. `zone` (minutes east of UTC) applies when the layout has none.
 */
function parseLayout(value: string, layout: string, zone: number | undefined): { seconds: number; nanos: number } | string {
  const bad = (rest: string, elem: string) => `parsing time ${goQuote(value)} as ${goQuote(layout)}: cannot parse ${goQuote(rest)} as ${goQuote(elem)}`;
  const range = (what: string) => `parsing time ${goQuote(value)}: ${what} out of range`;
  const elems = layout.match(ELEMENTS) ?? [];
  let rest = value;
  let year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, nanos = 0;
  let offset = zone ?? 0;
  for (let i = 0; i < elems.length; i++) {
    const elem = elems[i]!;
    const at = rest;
    switch (elem) {
      case '2006': {
        if (!/^\d{4}/.test(rest)) return bad(at, elem);
        year = Number(rest.slice(0, 4));
        rest = rest.slice(4);
        break;
      }
      case '01': case '02': case '15': case '04': case '05': {
        const m = (elem === '15' ? /^\d\d?/ : /^\d\d/).exec(rest);
        if (!m) return bad(at, elem);
        const n = Number(m[0]);
        rest = rest.slice(m[0].length);
        if (elem === '01') {
          if (n < 1 || n > 12) return range('month');
          month = n;
        } else if (elem === '02') day = n;
        else if (elem === '15') {
          if (n > 23) return range('hour');
          hour = n;
        } else if (elem === '04') {
          if (n > 59) return range('minute');
          minute = n;
        } else {
          if (n > 59) return range('second');
          second = n;
          // a fraction the layout does not ask for is read all the same
          if (elems[i + 1] !== '.999999999' && /^[.,]\d/.test(rest)) [nanos, rest] = fraction(rest);
        }
        break;
      }
      case '.999999999': {
        if (/^[.,]\d/.test(rest)) [nanos, rest] = fraction(rest);
        break;
      }
      case 'Z07:00': {
        if (rest.startsWith('Z')) {
          offset = 0;
          rest = rest.slice(1);
          break;
        }
        const m = /^([+-])(\d\d):(\d\d)/.exec(rest);
        if (!m) return bad(at, elem);
        if (Number(m[2]) > 24) return range('time zone offset hour');
        if (Number(m[3]) > 60) return range('time zone offset minute');
        offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
        rest = rest.slice(6);
        break;
      }
      default:
        if (!rest.startsWith(elem)) return bad(at, elem);
        rest = rest.slice(elem.length);
    }
  }
  if (rest !== '') return `parsing time ${goQuote(value)}: extra text: ${goQuote(rest)}`;
  if (day < 1 || day > daysIn(year, month)) return range('day');
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return { seconds: d.getTime() / 1000 - offset * 60, nanos };
}

/** A fraction of a second after "." or ",", any number of digits, as nanoseconds (past 9 digits cut). */
function fraction(rest: string): [number, string] {
  const digits = /^[.,](\d+)/.exec(rest)![1]!;
  return [Number(digits.slice(0, 9).padEnd(9, '0')), rest.slice(1 + digits.length)];
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function count(s: string, c: string): number {
  return s.split(c).length - 1;
}

function goQuote(s: string): string {
  return JSON.stringify(s);
}
