import { InvalidArgumentError, parseGoDuration } from '../../base/index.js';

/**
 * Docker's timestamp.Parse for `until`/`since` filters: a Go duration back from now,
 * unix seconds (with fraction), or an RFC 3339 date/time (local time when no zone).
 * Returns epoch milliseconds.
 */
export function parseFilterTime(value: string, now: number = Date.now()): number {
  if (value.trim() === '') throw new InvalidArgumentError('failed to parse value as time or duration: value is empty');
  if (value !== '0') {
    try {
      return now - parseGoDuration(value);
    } catch { /* not a duration */ }
  }
  if (/^\d+(\.\d*)?$/.test(value)) return Math.floor(Number(value) * 1000);
  const hasZone = /[zZ+]/.test(value) || (value.match(/-/g)?.length ?? 0) === 3;
  let iso = value;
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00';
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(iso)) iso += ':00';
  const t = Date.parse(hasZone ? iso : iso.replace(/Z$/, ''));
  if (Number.isNaN(t)) throw new InvalidArgumentError(`failed to parse value as time or duration: "${value}"`);
  return t;
}
