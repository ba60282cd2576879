import type { JSONMessage } from '../../api/types/index.js';
import { StreamError } from '../formatter/progress.js';

/** A step of the classic stream, as the BuildKit-style views show it. */
interface Step { n: number; title: string; started: number; ended?: number; cached: boolean; lines: string[] }

const STEP = /^Step (\d+)\/(\d+) : (.*)$/;

/**
 * Reads the classic build stream (`Step N/M : ...`, ` ---> Using cache`, output) and shows it
 * the way BuildKit's `--progress plain` prints or its `tty` view redraws: numbered steps,
 * CACHED, each output line with its time into the step, DONE with the step's duration.
 */
export async function displayBuildProgress(messages: AsyncIterable<JSONMessage>, out: NodeJS.WritableStream, opts: { mode: 'plain' | 'tty'; onAux(m: JSONMessage): void; now?: () => number }): Promise<void> {
  const now = opts.now ?? ((): number => performance.now());
  const steps: Step[] = [];
  const tags: string[] = [];
  let built = '';
  let current: Step | undefined;
  let partial = '';
  let drawn = 0;
  const secs = (ms: number): string => (ms / 1000).toFixed(1);

  const finish = (s: Step | undefined): void => {
    if (!s || s.ended !== undefined) return;
    s.ended = now();
    if (opts.mode === 'plain') out.write(s.cached ? `#${s.n} CACHED\n\n` : `#${s.n} DONE ${secs(s.ended - s.started)}s\n\n`);
  };
  const redraw = (): void => {
    if (opts.mode !== 'tty') return;
    const lines: string[] = [];
    for (const s of steps) {
      const state = s.cached ? 'CACHED' : s.ended !== undefined ? `${secs(s.ended - s.started)}s` : `${secs(now() - s.started)}s`;
      lines.push(`${s.ended === undefined ? '=>' : ' =>'} ${s.title}`.padEnd(70) + ` ${state}`);
      if (s.ended === undefined) for (const l of s.lines.slice(-6)) lines.push(` => => # ${l}`);
    }
    if (drawn > 0) out.write(`\x1b[${drawn}A\x1b[J`);
    out.write(lines.map((l) => `${l}\n`).join(''));
    drawn = lines.length;
  };
  const outputLine = (line: string): void => {
    if (!current) return;
    current.lines.push(line);
    if (opts.mode === 'plain') out.write(`#${current.n} ${(Math.max(0, now() - current.started) / 1000).toFixed(3)} ${line}\n`);
  };

  for await (const m of messages) {
    if (m.aux !== undefined && m.aux !== null) { opts.onAux(m); continue; }
    if (m.errorDetail) {
      if (current && opts.mode === 'plain') out.write(`#${current.n} ERROR: ${m.errorDetail.message ?? ''}\n`);
      throw new StreamError(m.errorDetail.message ?? '', m.errorDetail.code);
    }
    const text = partial + (m.stream ?? '');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      const step = STEP.exec(line);
      if (step) {
        finish(current);
        current = { n: Number(step[1]), title: `[${step[1]}/${step[2]}] ${step[3]}`, started: now(), cached: false, lines: [] };
        steps.push(current);
        if (opts.mode === 'plain') out.write(`#${current.n} ${current.title}\n`);
      } else if (line === ' ---> Using cache') {
        if (current) current.cached = true;
      } else if (/^ ---> [0-9a-f]{12}$/.test(line) || /^ ---> scratch$/.test(line)) {
        finish(current);
      } else if (/^ ---> Running in [0-9a-f]{12}$/.test(line) || /^Removing intermediate container [0-9a-f]{12}$/.test(line)) {
        // the classic builder's own bookkeeping: the views show steps, not containers
      } else if (line.startsWith('Successfully built ')) {
        finish(current);
        current = undefined;
        built = line.slice('Successfully built '.length);
      } else if (line.startsWith('Successfully tagged ')) {
        tags.push(line.slice('Successfully tagged '.length));
      } else {
        outputLine(line);
      }
    }
    redraw();
  }
  finish(current);
  const n = steps.length + 1;
  if (opts.mode === 'plain') {
    out.write(`#${n} exporting to image\n#${n} writing image ${built} done\n`);
    for (const t of tags) out.write(`#${n} naming to ${t} done\n`);
    out.write(`#${n} DONE 0.0s\n`);
  } else {
    redraw();
    out.write(` => exporting to image\n => => writing image ${built}\n`);
    for (const t of tags) out.write(` => => naming to ${t}\n`);
  }
}
