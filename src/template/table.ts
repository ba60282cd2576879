/** docker/cli's formatter.Context: `table` formats, the header row, tabwriter alignment. */
import { InvalidArgumentError } from '../base/index.js';
import { headerFuncs } from './docker-funcs.js';
import type { FuncDef } from './func-def.js';
import { marshalGoJson } from './go-json.js';
import { isStruct, kindOf, mapLookup, sortedEntries } from './go-values.js';
import { TabWriter } from './tabwriter.js';
import { GoTemplate } from './template.js';
import type { TemplateOptions } from './template.js';

const TABLE = 'table';

/**
 * Splits docker's `table` prefix off a --format value and pre-processes the rest as
 * docker does: spaces trimmed, literal \t and \n turned into tab and newline, and
 * "json" meaning {{json .}}. A bare "table" gives an empty body: use the command's default.
 */
export function splitTableFormat(format: string): { table: boolean; body: string } {
  const table = format.startsWith(TABLE);
  if (format === TABLE) return { table, body: '' };
  if (format === 'json') return { table, body: '{{json .}}' };
  let out = table ? format.slice(TABLE.length) : format;
  out = out.replace(/^ +| +$/g, '');
  out = out.replaceAll('\\t', '\t').replaceAll('\\n', '\n');
  return { table, body: out };
}

/**
 * The header context: field name → column title, plus docker's Label method that
 * titles {{.Label "com.example.some-label"}} as "some label".
 */
function headerContext(headers: Readonly<Record<string, string>>): object {
  return {
    ...headers,
    Label: (name: string) => (name.split('.').pop() ?? '').replace(/[-_]/g, ' '),
  };
}

/**
 * docker's formatter.MarshalJSON for a row context: every field and zero-argument
 * method by sorted name, through json.Marshal (so <, >, & are escaped).
 */
export function marshalRowJson(row: unknown): string {
  if (kindOf(row) !== 'map') return marshalGoJson(row, { escapeHTML: true });
  const m = row as object;
  const fields: Record<string, unknown> = {};
  // A class instance is a struct: only its exported (capitalised) members count.
  const exported = (k: string): boolean => !isStruct(m) || /^\p{Lu}/u.test(k);
  const names = new Set(sortedEntries(m).map(([k]) => String(k)).filter(exported));
  // Methods and getters of a class count when exported, as Go's exported methods do.
  for (let p: object | null = Object.getPrototypeOf(m) as object | null; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(p))) {
      if (/^\p{Lu}/u.test(k) && (typeof d.value === 'function' || d.get !== undefined)) names.add(k);
    }
  }
  for (const k of [...names].sort()) {
    let v = mapLookup(m, k);
    if (typeof v === 'function') {
      if (v.length !== 0) continue;
      v = (v as () => unknown).call(m);
    }
    if (v !== undefined) fields[k] = v;
  }
  return marshalGoJson(new Map(Object.entries(fields)), { escapeHTML: true });
}

/**
 * Runs a template per row, with json treating the row itself like docker's row
 * contexts (their MarshalJSON) and anything else like plain values.
 */
function rowRunner(tmpl: GoTemplate): (row: unknown) => string {
  let current: unknown;
  const json: FuncDef = {
    params: ['any'],
    fn: ((v: unknown) => (v === current && v !== null ? marshalRowJson(v) : marshalGoJson(v, { escapeHTML: false }))) as (...a: never[]) => unknown,
  };
  const t = tmpl.withFuncs(new Map([['json', json]]));
  return (row) => {
    current = row;
    const r = t.run(row);
    if (r.error) throw r.error;
    return r.output;
  };
}

/**
 * Renders rows under a header as `docker ... --format 'table ...'` does: the body runs
 * once per row, the header runs the same template over `headers` with docker's header
 * functions (errors there just cut the header short), and columns separated by "\t"
 * are aligned by a tabwriter with minwidth 10, padding 3.
 */
export function renderTable(rows: readonly unknown[], body: string, headers: Readonly<Record<string, string>>, opts?: TemplateOptions): string {
  const tmpl = GoTemplate.parse(body, opts);
  const runRow = rowRunner(tmpl);
  let buffer = '';
  for (const row of rows) buffer += runRow(row) + '\n';
  const header = tmpl.withFuncs(headerFuncs()).run(headerContext(headers)).output;
  const tw = new TabWriter({ minwidth: 10, tabwidth: 1, padding: 3, padchar: ' ' });
  tw.write(header);
  tw.write('\n');
  tw.write(buffer);
  return tw.flush();
}

/**
 * docker's formatter.Context.Write: a `table` format renders through renderTable, any
 * other runs per row followed by a newline. Errors read "template parsing error: ...".
 * `defaultTable` is the command's default body, used for a bare "table".
 */
export function formatRows(rows: readonly unknown[], format: string, opts: { headers: Readonly<Record<string, string>>; defaultTable?: string } & TemplateOptions): string {
  let { table, body } = splitTableFormat(format);
  if (table && body === '' && opts.defaultTable !== undefined) body = splitTableFormat(opts.defaultTable).body;
  try {
    if (table) return renderTable(rows, body, opts.headers, opts);
    const runRow = rowRunner(GoTemplate.parse(body, opts));
    return rows.map((row) => runRow(row) + '\n').join('');
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw new InvalidArgumentError(`template parsing error: ${e.message}`, { cause: e });
    throw e;
  }
}
