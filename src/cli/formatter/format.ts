import { parseTemplate } from '../../template/index.js';
import { tabwrite } from './tabwriter.js';

/** What `--format` asks for: a table with headers, JSON lines, or a plain template. */
export interface ParsedFormat {
  kind: 'table' | 'json' | 'template';
  /** The template to execute per row (`\t` and `\n` escapes already expanded) */
  body: string;
}

/** docker's preFormat: strip "table", map "json" to `{{json .}}`, trim, expand `\t` `\n`. */
export function parseFormat(format: string): ParsedFormat {
  let kind: ParsedFormat['kind'] = 'template';
  let body = format;
  if (format.startsWith('table')) {
    kind = 'table';
    body = format.slice('table'.length);
  } else if (format === 'json') {
    kind = 'json';
    body = '{{json .}}';
  }
  body = body.replace(/^ +| +$/g, '').replaceAll('\\t', '\t').replaceAll('\\n', '\n');
  return { kind, body };
}

/** A template error as docker words it. */
export class TemplateError extends Error {}

function compile(body: string): ReturnType<typeof parseTemplate> {
  try {
    return parseTemplate(body);
  } catch (e) {
    throw new TemplateError(`template parsing error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function exec(t: ReturnType<typeof parseTemplate>, data: unknown): string {
  try {
    return t.execute(data);
  } catch (e) {
    throw new TemplateError(`template parsing error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// docker renders the header row with these in place of the data functions.
const identity = (v: unknown): unknown => v;
const HEADER_FUNCS: Record<string, (...a: any[]) => unknown> = {
  json: identity, split: identity, join: identity, title: identity, lower: identity, upper: identity, truncate: identity,
};

/**
 * Render list rows with a `--format` value: each row's template output plus a newline;
 * for "table ..." a header row (the template run over `headers`) and columns aligned
 * like docker's tabwriter (min width 10, padding 3).
 */
export function renderRows(format: string, rows: readonly object[], headers: Record<string, string>): string {
  const f = parseFormat(format);
  const t = compile(f.body);
  let body = '';
  for (const r of rows) body += exec(t, r) + '\n';
  if (f.kind !== 'table') return body;
  let header = '';
  try {
    header = parseTemplate(f.body, { funcs: HEADER_FUNCS }).execute(headers);
  } catch {
    // docker ignores header errors and prints what it has
  }
  return tabwrite(`${header}\n${body}`, { minwidth: 10, padding: 3 });
}

/** Execute a single-object template (`inspect -f`, `version -f`), newline-terminated. */
export function renderOne(format: string, data: unknown): string {
  return exec(compile(format), data) + '\n';
}
