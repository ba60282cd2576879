import type { Network } from '../../../api/types/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { renderRows } from '../../formatter/format.js';
import { FORMAT_HELP } from '../common.js';

export function flags(fs: FlagSet) {
  return {
    filter: fs.filter('filter', 'f', "Provide filter values (e.g. \"driver=bridge\")"),
    format: fs.string('format', '', '', FORMAT_HELP),
    noTrunc: fs.bool('no-trunc', '', false, 'Do not truncate the output'),
    quiet: fs.bool('quiet', 'q', false, 'Only display network IDs'),
  };
}

const HEADERS = { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED' };

export async function run(cli: Cli, o: ReturnType<typeof flags>, _args: string[]): Promise<void> {
  const client = await cli.client();
  const f = o.filter.get;
  const nets = await client.json<Network[]>('/networks', { query: { filters: Object.keys(f).length ? JSON.stringify(Object.fromEntries(Object.entries(f).map(([k, v]) => [k, Object.fromEntries(v.map((x) => [x, true]))]))) : undefined } });
  nets.sort((a, b) => (a.Name ?? '').localeCompare(b.Name ?? ''));
  let format = o.format.get || ((await cli.config()).networksFormat as string | undefined) || 'table';
  if (o.quiet.get && !o.format.get) format = '{{.ID}}';
  if (format === 'table') format = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';
  const rows = nets.map((n) => ({
    ID: o.noTrunc.get ? n.Id : (n.Id ?? '').slice(0, 12), Name: n.Name, Driver: n.Driver, Scope: n.Scope,
    IPv6: String(Boolean(n.EnableIPv6)), Internal: String(Boolean(n.Internal)), CreatedAt: n.Created,
    Labels: Object.entries(n.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(','),
    Label: (k: string) => n.Labels?.[k] ?? '',
  }));
  await cli.print(renderRows(format, rows, HEADERS));
}
