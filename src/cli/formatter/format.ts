import { InvalidArgumentError } from '../../base/index.js';
import { formatRows, parseTemplate, TabWriter } from '../../template/index.js';

/** A `--format` template that failed to parse or run; docker exits 1 (64 for inspect). */
export class TemplateError extends Error {}

function templateError(e: unknown): TemplateError {
  const msg = e instanceof Error ? e.message : String(e);
  return new TemplateError(msg.startsWith('template parsing error: ') ? msg : `template parsing error: ${msg}`);
}

/**
 * Render list rows with a `--format` value as docker's formatter.Context does: per-row
 * template output, or for "table ..." a header row and aligned columns.
 */
export function renderRows(format: string, rows: readonly object[], headers: Record<string, string>): string {
  try {
    return formatRows(rows, format, { headers });
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw templateError(e);
    throw e;
  }
}

/** Parse a single-object template (`inspect -f`, `version -f`) up front. */
export function compileTemplate(format: string, funcs?: Record<string, (...a: never[]) => unknown>): { execute(data: unknown): string } {
  try {
    return parseTemplate(format, { funcs });
  } catch (e) {
    throw templateError(e);
  }
}

/** Execute a compiled template, mapping errors to docker's wording. */
export function executeTemplate(t: { execute(data: unknown): string }, data: unknown): string {
  try {
    return t.execute(data);
  } catch (e) {
    throw templateError(e);
  }
}

/** Align tab-separated text (Go's tabwriter) with the given minimum width and padding. */
export function tabwrite(text: string, opts: { minwidth: number; padding: number }): string {
  const tw = new TabWriter({ minwidth: opts.minwidth, tabwidth: 1, padding: opts.padding, padchar: ' ' });
  tw.write(text);
  return tw.flush();
}
