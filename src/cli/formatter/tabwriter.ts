import { displayWidth } from './text.js';

export interface TabwriterOptions {
  /** Narrowest a column gets, padding included */
  minwidth: number;
  /** Spaces added to the widest cell of a column */
  padding: number;
}

/**
 * Go's text/tabwriter (docker's fork: wide characters count two): cells end at "\t",
 * each column block is as wide as its widest cell plus padding, the last cell of a
 * line is not aligned, and a line without tabs ends the block above it.
 */
export function tabwrite(text: string, opts: TabwriterOptions): string {
  const rawLines = text.split('\n');
  const trailing = rawLines.pop() ?? '';
  let out = '';
  let section: string[][] = [];
  const flush = (): void => {
    if (section.length === 0) return;
    out += formatSection(section, opts);
    section = [];
  };
  for (const l of rawLines) {
    const cells = l.split('\t');
    section.push(cells);
    if (cells.length === 1) flush();
  }
  flush();
  return out + trailing;
}

function formatSection(lines: string[][], opts: TabwriterOptions): string {
  const widths: number[] = [];
  let out = '';
  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const line = lines[i]!;
      line.forEach((c, j) => {
        out += c;
        if (j < widths.length && j < line.length - 1) out += ' '.repeat(Math.max(widths[j]! - displayWidth(c), 0));
      });
      out += '\n';
    }
  };
  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= lines[t]!.length - 1) continue;
      writeLines(line0, t);
      line0 = t;
      let width = opts.minwidth;
      for (; t < line1; t++) {
        const line = lines[t]!;
        if (column >= line.length - 1) break;
        const w = displayWidth(line[column]!) + opts.padding;
        if (w > width) width = w;
      }
      widths.push(width);
      format(line0, t);
      widths.pop();
      line0 = t;
      t--;
    }
    writeLines(line0, line1);
  };
  format(0, lines.length);
  return out;
}
