import { InvalidArgumentError } from './errors.js';

const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

function scaled(n: number, base: number, units: string[]): string {
  let i = 0;
  while (n >= base && i < units.length - 1) { n /= base; i++; }
  return `${Number(n.toPrecision(4))}${units[i]}`;
}

/** Docker's BytesSize: binary units ("1.5MiB"). */
export function bytesSize(bytes: number): string {
  return scaled(bytes, 1024, BINARY);
}

/** Parse "512m", "1g", "100k", "1024" (binary multiples, as docker's RAMInBytes). */
export function parseRamBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(s.trim());
  if (!m) throw new InvalidArgumentError(`invalid size: '${s}'`);
  const pow = ' kmgtp'.indexOf((m[2] || ' ').toLowerCase());
  return Math.floor(Number(m[1]) * 1024 ** pow);
}

/**
 * go-units HumanDuration: seconds truncate, hours round ("Less than a second", "3 seconds",
 * "About a minute", "2 hours", "3 days", "2 weeks", "5 months", "2 years").
 */
export function humanDuration(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec < 1) return 'Less than a second';
  if (sec === 1) return '1 second';
  if (sec < 60) return `${sec} seconds`;
  const min = Math.floor(ms / 60000);
  if (min === 1) return 'About a minute';
  if (min < 60) return `${min} minutes`;
  const hours = Math.round(ms / 3600000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3600000 / 24 / 365)} years`;
}

/** Parse Go durations as docker accepts them ("10s", "1m30s", "500ms", "2h", "1.5h", ".5s"), in milliseconds. */
export function parseGoDuration(s: string): number {
  // µs as U+00B5 and U+03BC, escaped: the CLI bundle must stay ASCII (bin/berth.cjs reads it as latin1).
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  let total = 0;
  let matched = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * (unit[m[2]!] ?? 0);
    matched = re.lastIndex;
  }
  if (s === '0') return 0;
  if (matched !== s.length || s.length === 0) throw new InvalidArgumentError(`time: invalid duration "${s}"`);
  return total;
}
