import { watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { errnoCode, setLongTimeout } from '../../base/index.js';
import { LineAssembler, type LogEntry, type TimedEntry } from './assembler.js';
import { dateToNanos, nanosToRfc3339Nano, parseK8sLine, timeToNanos, type LogStream } from './k8s-line.js';
import { findTailStart } from './tail.js';

export interface ReadLogsOptions {
  /** Keep reading as the container writes, until stopWhen resolves or signal aborts. */
  follow?: boolean;
  since?: Date;
  until?: Date;
  /** Only the last n lines (of the selected streams); undefined or negative = all. */
  tail?: number;
  stdout: boolean;
  stderr: boolean;
  /** Ends the iteration quietly (no error), at once. */
  signal?: AbortSignal;
  /** When following: resolves when the container has exited; what is left in the file is drained first. */
  stopWhen?: Promise<void>;
}

const CHUNK = 64 * 1024;

/**
 * Read a conmon k8s-file log as Docker's `logs` does: partial lines joined, stdout and stderr kept
 * apart, --tail read from the end, --since/--until by timestamp, --follow by fs.watch.
 */
export async function* readLogs(path: string, opts: ReadLogsOptions): AsyncGenerator<LogEntry> {
  const want = (s: LogStream): boolean => (s === 'stdout' ? opts.stdout : opts.stderr);
  const since = opts.since ? dateToNanos(opts.since) : undefined;
  const until = opts.until ? dateToNanos(opts.until) : undefined;
  if (opts.signal?.aborted) return;

  const follower = opts.follow ? new Follower(path, opts) : undefined;
  try {
    const fh = await openIfExists(path);
    if (!fh && !follower) return;
    const reader = new LogReader(want);
    let entries: TimedEntry[] = [];
    if (fh) {
      try {
        const size = (await fh.stat()).size;
        const tail = opts.tail !== undefined && opts.tail >= 0 ? opts.tail : undefined;
        if (tail !== undefined) reader.offset = await findTailStart(fh, { size, n: tail, want });
        // A tail is collected whole (it is small); a full read streams.
        for await (const batch of reader.readToEnd(fh)) {
          if (tail !== undefined) {
            entries.push(...batch);
            if (entries.length > tail) entries = entries.slice(entries.length - tail);
            continue;
          }
          for (const e of batch) {
            if (until !== undefined && e.nanos > until) return;
            if (since === undefined || e.nanos >= since) yield strip(e);
            if (opts.signal?.aborted) return;
          }
        }
        if (!follower) {
          entries.push(...reader.flush());
          if (tail !== undefined && entries.length > tail) entries = entries.slice(entries.length - tail);
        }
      } finally {
        await fh.close();
      }
    }
    for (const e of entries) {
      if (until !== undefined && e.nanos > until) return;
      if (since === undefined || e.nanos >= since) yield strip(e);
    }
    if (!follower) return;

    // Follow: read whatever appears after each change event until told to stop.
    for (;;) {
      const last = await follower.next();
      if (opts.signal?.aborted) return;
      const fh2 = await openIfExists(path);
      if (fh2) {
        try {
          if ((await fh2.stat()).size < reader.offset) reader.offset = 0; // truncated or replaced
          for await (const batch of reader.readToEnd(fh2)) {
            for (const e of batch) {
              if (until !== undefined && e.nanos > until) return;
              if (since === undefined || e.nanos >= since) yield strip(e);
            }
            if (opts.signal?.aborted) return;
          }
        } finally {
          await fh2.close();
        }
      }
      if (last) {
        for (const e of reader.flush()) if (since === undefined || e.nanos >= since) yield strip(e);
        return;
      }
    }
  } finally {
    follower?.close();
  }
}

function strip(e: TimedEntry): LogEntry {
  return { stream: e.stream, time: e.time, line: e.line };
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}

/** Reads whole physical lines from an offset on, keeping the byte position and partial state. */
class LogReader {
  offset = 0;
  private readonly assembler = new LineAssembler();

  constructor(private readonly want: (s: LogStream) => boolean) {}

  async *readToEnd(fh: FileHandle): AsyncGenerator<TimedEntry[]> {
    const buf = Buffer.alloc(CHUNK);
    let rest = Buffer.alloc(0);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset + rest.length);
      if (bytesRead === 0) return;
      const data = rest.length ? Buffer.concat([rest, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const out: TimedEntry[] = [];
      let start = 0;
      for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
        const e = this.line(data.subarray(start, nl));
        if (e) out.push(e);
        start = nl + 1;
      }
      this.offset += start;
      // Keep the unfinished tail (a line being written) for the next read; copy, buf is reused.
      rest = Buffer.from(data.subarray(start));
      if (out.length) yield out;
    }
  }

  flush(): TimedEntry[] {
    return this.assembler.flush();
  }

  private line(raw: Buffer): TimedEntry | undefined {
    const l = parseK8sLine(raw);
    if (!l || !this.want(l.stream)) return undefined;
    const nanos = timeToNanos(l.rawTime) ?? 0n;
    return this.assembler.push(l, nanos, nanosToRfc3339Nano(nanos));
  }
}

/**
 * Wakes the follow loop when the log's directory reports a change to the log file (watching the
 * directory also catches a file replaced by rename), when stopWhen resolves, on abort, or at until.
 */
class Follower {
  private watcher: FSWatcher | undefined;
  private dirty = true; // read once right away: writes may have landed before the watch began
  private stopped = false;
  private wake: (() => void) | undefined;
  private cancelTimer: (() => void) | undefined;
  private readonly onAbort = (): void => this.stop();

  constructor(path: string, opts: ReadLogsOptions) {
    const name = basename(path);
    try {
      this.watcher = watch(dirname(path), { persistent: true }, (_ev, file) => {
        if (file === null || file === name) this.poke();
      });
      this.watcher.on('error', () => this.stop());
    } catch {
      this.stopped = true;
    }
    opts.stopWhen?.then(() => this.stop(), () => this.stop());
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.signal = opts.signal;
    if (opts.until) {
      const ms = opts.until.getTime() - Date.now();
      if (ms <= 0) this.stopped = true;
      else this.cancelTimer = setLongTimeout(() => this.stop(), ms);
    }
  }

  private readonly signal: AbortSignal | undefined;

  /** Wait for a change; true when this is the final read (stop requested). */
  async next(): Promise<boolean> {
    while (!this.dirty && !this.stopped) await new Promise<void>((r) => { this.wake = r; });
    this.dirty = false;
    return this.stopped;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.cancelTimer?.();
    this.signal?.removeEventListener('abort', this.onAbort);
    this.stop();
  }

  private poke(): void {
    this.dirty = true;
    this.wake?.();
    this.wake = undefined;
  }

  private stop(): void {
    this.stopped = true;
    this.wake?.();
    this.wake = undefined;
  }
}
