import { parseTemplate, renderTable } from '../../template/index.js';

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

/**
 * Render list rows with a `--format` value: each row's template output plus a newline;
 * for "table ..." a header row from `headers` and columns aligned like docker's tabwriter.
 */
export function renderRows(format: string, rows: readonly object[], headers: Record<string, string>): string {
  const f = parseFormat(format);
  if (f.kind === 'table') {
    compile(f.body);
    try {
      return renderTable([...rows], f.body, headers);
    } catch (e) {
      throw new TemplateError(`template parsing error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const t = compile(f.body);
  let out = '';
  for (const r of rows) out += exec(t, r) + '\n';
  return out;
}

/** Execute a single-object template (`inspect -f`, `version -f`), newline-terminated. */
export function renderOne(format: string, data: unknown): string {
  const f = parseFormat(format);
  return exec(compile(f.body), data) + '\n';
}
