/**
 * Go's text/tabwriter (elastic tabstops) as docker/cli's fork uses it: tab-terminated
 * cells in consecutive lines form a column padded to its widest cell; widths are
 * terminal cells. Only left alignment and no HTML/escape handling, which docker never asks for.
 */
import { stringWidth } from './rune-width.js';

export interface TabWriterOptions {
  /** Minimal cell width including padding. */
  minwidth: number;
  /** Width of a tab when padchar is '\t'. */
  tabwidth: number;
  /** Added to each cell's width. */
  padding: number;
  padchar: string;
}

interface Cell { text: string; width: number; htab: boolean }

export class TabWriter {
  private lines: Cell[][] = [[]];
  private cell = '';
  private widths: number[] = [];
  private out: string[] = [];

  constructor(private readonly opts: TabWriterOptions) {}

  write(text: string): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch !== '\t' && ch !== '\v' && ch !== '\n' && ch !== '\f') continue;
      this.cell += text.slice(start, i);
      start = i + 1;
      const ncells = this.terminateCell(ch === '\t');
      if (ch === '\n' || ch === '\f') {
        this.lines.push([]);
        // A line of one cell cannot affect the columns below it, so what is buffered can go out.
        if (ch === '\f' || ncells === 1) this.flushLines();
      }
    }
    this.cell += text.slice(start);
  }

  /** Formats everything buffered and returns all output so far. */
  flush(): string {
    this.flushLines();
    const s = this.out.join('');
    this.out = [];
    return s;
  }

  private terminateCell(htab: boolean): number {
    const line = this.lines[this.lines.length - 1] as Cell[];
    line.push({ text: this.cell, width: stringWidth(this.cell), htab });
    this.cell = '';
    return line.length;
  }

  private flushLines(): void {
    if (this.cell.length > 0) this.terminateCell(false);
    this.format(0, this.lines.length);
    this.lines = [[]];
    this.widths = [];
  }

  private writePadding(textw: number, cellw: number): void {
    if (this.opts.padchar === '\t') {
      if (this.opts.tabwidth === 0) return;
      const tw = this.opts.tabwidth;
      cellw = Math.ceil(cellw / tw) * tw;
      this.out.push('\t'.repeat(Math.ceil((cellw - textw) / tw)));
      return;
    }
    this.out.push(this.opts.padchar.repeat(Math.max(cellw - textw, 0)));
  }

  private writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i] as Cell[];
      line.forEach((c, j) => {
        if (c.text.length > 0) this.out.push(c.text);
        if (j < this.widths.length) this.writePadding(c.width, this.widths[j] as number);
      });
      if (i + 1 === this.lines.length) this.out.push(this.cell);
      else this.out.push('\n');
    }
  }

  /** Go's recursive column-block formatting of lines [line0, line1). */
  private format(line0: number, line1: number): void {
    const column = this.widths.length;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= (this.lines[cur] as Cell[]).length - 1) continue;
      // A column block starts here: print the lines above it first.
      this.writeLines(line0, cur);
      line0 = cur;
      let width = this.opts.minwidth;
      for (; cur < line1; cur++) {
        const line = this.lines[cur] as Cell[];
        if (column >= line.length - 1) break;
        const w = (line[column] as Cell).width + this.opts.padding;
        if (w > width) width = w;
      }
      this.widths.push(width);
      this.format(line0, cur);
      this.widths.pop();
      line0 = cur;
    }
    this.writeLines(line0, line1);
  }
}
