import type { EventMessage } from '../../../api/types/index.js';
import { marshalGoJson, marshalJsonHook } from '../../../template/index.js';
import type { Cli } from '../../cli.js';
import { StatusError } from '../../errors.js';
import type { FlagSet } from '../../flags/index.js';
import { compileTemplate, executeTemplate } from '../../formatter/format.js';
import { INSPECT_FORMAT_HELP } from '../common.js';
import { getTimestamp } from '../container/logs.js';

export function flags(fs: FlagSet) {
  return {
    filter: fs.filter(),
    format: fs.string('format', '', '', INSPECT_FORMAT_HELP),
    since: fs.string('since', '', '', 'Show all events created since timestamp'),
    until: fs.string('until', '', '', 'Stream events until this timestamp'),
  };
}

/**
 * docker's events.Message as templates see it: Go's field names (`.Status`, `.TimeNano`), while
 * `{{json .}}` writes the wire's json names, omitting empty ones, map keys sorted.
 */
export class EventRow {
  static readonly goTypeName = 'events.Message';
  readonly Status: string;
  readonly ID: string;
  readonly From: string;
  readonly Type: string;
  readonly Action: string;
  readonly Actor: { ID: string; Attributes: Record<string, string> };
  readonly Scope: string;
  readonly Time: bigint;
  readonly TimeNano: bigint;

  constructor(m: Partial<EventMessage>, timeNano: bigint) {
    this.Status = m.status ?? '';
    this.ID = m.id ?? '';
    this.From = m.from ?? '';
    this.Type = m.Type ?? '';
    this.Action = m.Action ?? '';
    const attrs = m.Actor?.Attributes ?? {};
    this.Actor = { ID: m.Actor?.ID ?? '', Attributes: Object.fromEntries(Object.keys(attrs).sort().map((k) => [k, attrs[k]!])) };
    this.Scope = m.scope ?? '';
    this.Time = BigInt(m.time ?? 0);
    this.TimeNano = timeNano;
  }

  [marshalJsonHook](): string {
    const o: Record<string, unknown> = {};
    if (this.Status) o.status = this.Status;
    if (this.ID) o.id = this.ID;
    if (this.From) o.from = this.From;
    Object.assign(o, { Type: this.Type, Action: this.Action, Actor: this.Actor });
    if (this.Scope) o.scope = this.Scope;
    if (this.Time) o.time = Number(this.Time);
    const text = marshalGoJson(o, { escapeHTML: false });
    return this.TimeNano ? `${text.slice(0, -1)},"timeNano":${this.TimeNano}}` : text;
  }
}

/** Go's "2006-01-02T15:04:05.000000000Z07:00" in the local zone, from Unix nanoseconds. */
export function rfc3339NanoFixed(nano: bigint): string {
  const ms = Number(nano / 1_000_000n);
  const d = new Date(ms);
  const offMin = -d.getTimezoneOffset();
  const local = new Date(ms + offMin * 60_000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const frac = String(((nano % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).padStart(9, '0');
  const zone = offMin === 0 ? 'Z' : `${offMin > 0 ? '+' : '-'}${p(Math.floor(Math.abs(offMin) / 60))}:${p(Math.abs(offMin) % 60)}`;
  return `${local.getUTCFullYear()}-${p(local.getUTCMonth() + 1)}-${p(local.getUTCDate())}T${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())}.${frac}${zone}`;
}

/** docker's prettyPrintEvent: time, type, action, actor ID, then the attributes sorted by key. */
export function prettyEvent(row: EventRow): string {
  let out = '';
  if (row.TimeNano !== 0n) out += `${rfc3339NanoFixed(row.TimeNano)} `;
  else if (row.Time !== 0n) out += `${rfc3339NanoFixed(row.Time * 1_000_000_000n)} `;
  out += `${row.Type} ${row.Action} ${row.Actor.ID}`;
  const attrs = Object.entries(row.Actor.Attributes);
  if (attrs.length) out += ` (${attrs.map(([k, v]) => `${k}=${v}`).join(', ')})`;
  return `${out}\n`;
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, _args: string[]): Promise<void> {
  let format = o.format.get;
  if (format === 'json') format = '{{json .}}';
  let tmpl: { execute(data: unknown): string } | undefined;
  if (format !== '') {
    try {
      tmpl = compileTemplate(format);
      // As docker: a template that cannot run on an empty message is refused before anything streams.
      executeTemplate(tmpl, new EventRow({}, 0n));
    } catch (e) {
      throw new StatusError(64, `Error parsing format: ${(e as Error).message}`);
    }
  }
  const now = Date.now();
  const since = getTimestamp(o.since.get, now);
  const until = getTimestamp(o.until.get, now);
  const client = await cli.client();
  for await (const { message, timeNano } of client.events({ since, until, filters: o.filter.get })) {
    const row = new EventRow(message, timeNano);
    await cli.print(tmpl ? `${executeTemplate(tmpl, row)}\n` : prettyEvent(row));
  }
}
