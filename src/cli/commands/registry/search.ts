import { parseNormalizedNamed } from '../../../oci/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { renderRows } from '../../formatter/format.js';
import { ellipsis } from '../../formatter/text.js';
import { registryAuth } from './credentials.js';

export function flags(fs: FlagSet) {
  return {
    filter: fs.filter(),
    format: fs.string('format', '', '', 'Pretty-print search using a Go template'),
    limit: fs.int('limit', '', 0, 'Max number of search results'),
    noTrunc: fs.bool('no-trunc', '', false, "Don't truncate output"),
  };
}

const SEARCH_HEADERS = { Name: 'NAME', Description: 'DESCRIPTION', StarCount: 'STARS', IsOfficial: 'OFFICIAL', IsAutomated: 'AUTOMATED' };
const DEFAULT_SEARCH_TABLE = 'table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}';
const DESCRIPTION_WIDTH = 45;

function searchDomain(term: string): string {
  const first = term.includes('/') ? term.slice(0, term.indexOf('/')) : '';
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    try {
      return parseNormalizedNamed(`${first}/x`).domain;
    } catch { /* the daemon words the error */ }
  }
  return 'docker.io';
}

/** docker search: the daemon queries the registry's search endpoint; the table is docker's. */
export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const term = args[0]!;
  const client = await cli.client();
  const hits = await client.imageSearch(term, { limit: o.limit.get, filters: o.filter.get, registryAuth: await registryAuth(cli, searchDomain(term)) });
  const rows = hits.map((h) => {
    const desc = h.description.replace(/\n/g, ' ');
    return {
      Name: h.name,
      Description: o.noTrunc.get ? desc : ellipsis(desc, DESCRIPTION_WIDTH),
      StarCount: String(h.star_count),
      IsOfficial: h.is_official ? '[OK]' : '',
      IsAutomated: h.is_automated ? '[OK]' : '',
    };
  });
  const format = !o.format.get || o.format.get === 'table' ? DEFAULT_SEARCH_TABLE : o.format.get;
  await cli.print(renderRows(format, rows, SEARCH_HEADERS));
}
