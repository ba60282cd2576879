import type { JSONMessage, ProgressDetail } from '../../api/types/index.js';
import { humanSize4 } from './text.js';

/** The error a JSON stream ended with (`errorDetail`); its text is printed as is. */
export class StreamError extends Error {
  constructor(message: string, readonly code?: number) {
    super(message);
  }
}

interface ProgressLike extends ProgressDetail {
  start?: number;
  units?: string;
  hidecounts?: boolean;
}

/** docker's JSONProgress.String(): "[=====>    ] 1.2MB/3.4MB 2s" (bar only on wide terminals). */
export function progressString(p: ProgressLike, width: number, now = Date.now()): string {
  const cur = p.current ?? 0;
  const total = p.total ?? 0;
  if (cur <= 0 && total <= 0) return '';
  if (total <= 0) return p.units ? `${cur} ${p.units}` : humanSize4(cur).padStart(8);
  let pct = Math.floor(Math.floor((cur / total) * 100) / 2);
  if (pct > 50) pct = 50;
  let bar = '';
  if (width > 110) bar = `[${'='.repeat(pct)}>${' '.repeat(Math.max(50 - pct, 0))}] `;
  let numbers = '';
  if (!p.hidecounts) {
    if (!p.units) numbers = cur > total ? humanSize4(cur).padStart(8) : `${humanSize4(cur).padStart(8)}/${humanSize4(total)}`;
    else numbers = cur > total ? `${cur} ${p.units}` : `${cur}/${total} ${p.units}`;
  }
  let left = '';
  if (width > 50 && cur > 0 && p.start && p.start > 0 && pct < 50) {
    const perEntry = (now - p.start * 1000) / cur;
    left = ` ${Math.round(((total - cur) * perEntry) / 1000)}s`;
  }
  return bar + numbers + left;
}

export interface DisplayOptions {
  isTerminal: boolean;
  /** Terminal width (the progress bar needs > 110 columns) */
  width?: number;
  /** Called for `aux` messages instead of printing them */
  onAux?: (m: JSONMessage) => void;
}

function timestamp(m: JSONMessage): string {
  const ns = m.timeNano ? BigInt(m.timeNano) : m.time ? BigInt(m.time) * 1_000_000_000n : 0n;
  if (ns === 0n) return '';
  const d = new Date(Number(ns / 1_000_000n));
  const frac = String(ns % 1_000_000_000n).padStart(9, '0');
  return `${d.toISOString().slice(0, 19)}.${frac}Z `;
}

/**
 * docker's DisplayJSONMessagesStream: print pull/load/import progress. On a terminal,
 * lines with an id and progress are redrawn in place; otherwise progress bars are
 * dropped and every status is its own line. Throws StreamError on an `errorDetail`.
 */
export async function displayJsonMessages(messages: AsyncIterable<JSONMessage>, out: NodeJS.WritableStream, opts: DisplayOptions): Promise<void> {
  let ids = new Map<string, number>();
  const width = opts.width ?? 200;
  for await (const m of messages) {
    if (m.aux !== undefined && m.aux !== null) {
      opts.onAux?.(m);
      continue;
    }
    let diff = 0;
    const hasProgress = m.progressDetail !== undefined && m.progressDetail !== null;
    if (m.id && (hasProgress || m.progress)) {
      let line = ids.get(m.id);
      if (line === undefined) {
        line = ids.size;
        ids.set(m.id, line);
        if (opts.isTerminal) out.write('\n');
      }
      diff = ids.size - line;
      if (opts.isTerminal) out.write(`\x1b[${diff}A`);
    } else ids = new Map();
    if (m.errorDetail) throw new StreamError(m.errorDetail.message ?? '', m.errorDetail.code);
    let text = '';
    let endl = '';
    const pstr = hasProgress ? progressString(m.progressDetail as ProgressLike, width) : '';
    if (opts.isTerminal && !m.stream && hasProgress) {
      text += '\x1b[2K\r';
      endl = '\r';
    } else if (hasProgress && pstr !== '') {
      if (m.id && opts.isTerminal) out.write(`\x1b[${diff}B`);
      continue;
    }
    text += timestamp(m);
    if (m.id) text += `${m.id}: `;
    if (m.from) text += `(from ${m.from}) `;
    if (hasProgress && opts.isTerminal) text += `${m.status ?? ''} ${pstr}${endl}`;
    else if (m.progress) text += `${m.status ?? ''} ${m.progress}${endl}`;
    else if (m.stream) text += `${m.stream}${endl}`;
    else text += `${m.status ?? ''}${endl}\n`;
    out.write(text);
    if (m.id && opts.isTerminal) out.write(`\x1b[${diff}B`);
  }
}
