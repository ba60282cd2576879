/**
 * conmon's k8s-file log lines: "<RFC3339Nano local time> <stdout|stderr> <F|P> <text>\n".
 * P marks a fragment of a longer line (conmon added the newline); F ends a line.
 */

export type LogStream = 'stdout' | 'stderr';

export interface K8sLine {
  /** The timestamp as conmon wrote it (local offset, nanoseconds). */
  rawTime: string;
  stream: LogStream;
  partial: boolean;
  content: Buffer;
}

const SPACE = 0x20;

/** Parse one physical line (without its newline); undefined for anything malformed. */
export function parseK8sLine(line: Buffer): K8sLine | undefined {
  const s1 = line.indexOf(SPACE);
  if (s1 <= 0) return undefined;
  const s2 = line.indexOf(SPACE, s1 + 1);
  if (s2 < 0) return undefined;
  const stream = line.toString('latin1', s1 + 1, s2);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = line[s2 + 1];
  const partial = tag === 0x50; // 'P'
  if (!partial && tag !== 0x46) return undefined; // 'F'
  // Content follows "F "; an empty line may lack the space.
  const content = line.subarray(Math.min(s2 + 3, line.length));
  return { rawTime: line.toString('latin1', 0, s1), stream, partial, content };
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Nanoseconds since the epoch of an RFC 3339 timestamp with any offset; undefined if unparsable. */
export function timeToNanos(raw: string): bigint | undefined {
  const m = TIME_RE.exec(raw);
  if (!m) return undefined;
  let ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const off = m[8]!;
  if (off !== 'Z') {
    const sign = off[0] === '-' ? -1 : 1;
    ms -= sign * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6))) * 60000;
  }
  const frac = BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  return BigInt(ms) * 1000000n + frac;
}

/** Go's time.RFC3339Nano in UTC, as Docker prints log timestamps ("2024-05-01T10:00:00.12345Z"). */
export function nanosToRfc3339Nano(ns: bigint): string {
  const sec = ns / 1000000000n;
  const frac = (ns % 1000000000n).toString().padStart(9, '0').replace(/0+$/, '');
  const base = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
  return `${base}${frac ? `.${frac}` : ''}Z`;
}

export function dateToNanos(d: Date): bigint {
  return BigInt(d.getTime()) * 1000000n;
}
