import type { ContainerStatsResponse } from '../../../api/types/index.js';
import type { EngineClient } from '../../../client/index.js';
import type { Cli } from '../../cli.js';
import { StatusError } from '../../errors.js';
import type { FlagSet } from '../../flags/index.js';
import { renderRows } from '../../formatter/format.js';
import { STATS_HEADERS, statsEntry, statsFormat, statsRow, type StatsEntry } from '../../formatter/stats.js';
import { FORMAT_HELP, errorText } from '../common.js';

export function flags(fs: FlagSet) {
  return {
    all: fs.bool('all', 'a', false, 'Show all containers (default shows just running)'),
    format: fs.string('format', '', '', FORMAT_HELP),
    noStream: fs.bool('no-stream', '', false, 'Disable streaming stats and only pull the first result'),
    noTrunc: fs.bool('no-trunc', '', false, 'Do not truncate output'),
  };
}

/** The docker CLI redraws its table twice a second. */
const REDRAW_MS = 500;

/** One container followed: its latest figures, or the error that ended its stream. */
class Followed {
  entry: StatsEntry;
  error: unknown;
  readonly first: Promise<void>;
  private gotFirst!: () => void;
  readonly abort = new AbortController();

  constructor(readonly ref: string) {
    this.entry = { container: ref, name: '', id: ref, cpuPercentage: 0, memory: 0, memoryLimit: 0, memoryPercentage: 0, networkRx: 0, networkTx: 0, blockRead: 0, blockWrite: 0, pidsCurrent: 0, invalid: false };
    this.first = new Promise((r) => { this.gotFirst = r; });
  }

  async collect(client: EngineClient, stream: boolean): Promise<void> {
    try {
      for await (const s of client.containerStats(this.ref, { stream, signal: this.abort.signal })) {
        this.update(s);
        this.gotFirst();
      }
    } catch (e) {
      if (!this.abort.signal.aborted) {
        this.error = e;
        this.entry = { ...this.entry, invalid: true };
      }
    } finally {
      this.gotFirst();
    }
  }

  private update(s: ContainerStatsResponse): void {
    this.entry = statsEntry(this.ref, s);
  }
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  const stream = !o.noStream.get;
  const format = statsFormat(o.format.get);
  const trunc = !o.noTrunc.get;
  const followed = new Map<string, Followed>();
  const follow = (ref: string): void => {
    if (followed.has(ref)) return;
    const f = new Followed(ref);
    followed.set(ref, f);
    void f.collect(client, stream);
  };
  const render = (): string => renderRows(format, [...followed.values()].map((f) => statsRow(f.entry, { trunc })), STATS_HEADERS);

  // Containers named on the command line are followed whatever their state; an error for one is the command's.
  const named = args.length > 0;
  const refresh = async (): Promise<void> => {
    if (named) return;
    const list = await client.containerList({ all: o.all.get });
    const ids = new Set(list.map((c) => c.Id ?? ""));
    for (const [ref, f] of followed) if (!ids.has(ref)) { f.abort.abort(); followed.delete(ref); }
    for (const c of list) if (c.Id) follow(c.Id);
  };
  if (named) for (const a of args) follow(a);
  else await refresh();

  await Promise.all([...followed.values()].map((f) => f.first));
  const errs = named ? [...followed.values()].filter((f) => f.error !== undefined).map((f) => errorText(f.error)) : [];
  if (errs.length) {
    for (const f of followed.values()) f.abort.abort();
    throw new StatusError(1, errs.join('\n'));
  }
  if (!stream) {
    await cli.print(render());
    return;
  }
  // Streaming: redraw in place (cursor home, each line erased to its end, the rest of the screen cleared).
  let tick = 0;
  for (;;) {
    const text = render().split('\n').slice(0, -1).map((l) => `${l}\x1b[K\n`).join('');
    await cli.print(`${tick === 0 ? "\x1b[2J" : ""}\x1b[H${text}\x1b[J`);
    await new Promise((r) => setTimeout(r, REDRAW_MS));
    if (++tick % 2 === 0) await refresh().catch(() => {});
    if (named && [...followed.values()].every((f) => f.error !== undefined)) break;
  }
}
