import type { K8sLine, LogStream } from './k8s-line.js';

export interface LogEntry {
  stream: LogStream;
  /** RFC3339Nano in UTC, of the line's first fragment. */
  time: string;
  /** The line's bytes, ending in "\n" unless the container never finished it. */
  line: Buffer;
}

/** An entry plus its time in nanoseconds, for since/until filtering. */
export interface TimedEntry extends LogEntry {
  nanos: bigint;
}

/** Joins P fragments with their F line, per stream, so interleaved streams stay apart. */
export class LineAssembler {
  private readonly pending = new Map<LogStream, { nanos: bigint; time: string; parts: Buffer[] }>();

  /** Feed one parsed line; returns the finished entry, if this line completed one. */
  push(l: K8sLine, nanos: bigint, time: string): TimedEntry | undefined {
    let p = this.pending.get(l.stream);
    if (!p) {
      p = { nanos, time, parts: [] };
      this.pending.set(l.stream, p);
    }
    p.parts.push(l.content);
    if (l.partial) return undefined;
    this.pending.delete(l.stream);
    p.parts.push(NEWLINE);
    return { stream: l.stream, time: p.time, nanos: p.nanos, line: Buffer.concat(p.parts) };
  }

  /** Unfinished lines, oldest first, for when no more input will come. */
  flush(): TimedEntry[] {
    const out = [...this.pending.entries()].map(([stream, p]) => ({ stream, time: p.time, nanos: p.nanos, line: Buffer.concat(p.parts) }));
    this.pending.clear();
    return out.sort((a, b) => (a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0));
  }
}

const NEWLINE = Buffer.from('\n');
