import { demuxStream } from '../../../client/index.js';
import { parseGoDuration } from '../../../base/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';

export function flags(fs: FlagSet) {
  return {
    details: fs.bool('details', '', false, 'Show extra details provided to logs'),
    follow: fs.bool('follow', 'f', false, 'Follow log output'),
    since: fs.string('since', '', '', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)'),
    tail: fs.string('tail', 'n', 'all', 'Number of lines to show from the end of the logs'),
    timestamps: fs.bool('timestamps', 't', false, 'Show timestamps'),
    until: fs.string('until', '', '', 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)'),
  };
}

/**
 * docker's GetTimestamp: a duration ("42m") counts back from now, a date or RFC 3339
 * time is converted, a unix timestamp passes through; the API takes "seconds.nanos".
 */
export function getTimestamp(value: string, now = Date.now()): string {
  if (value === '') return '';
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  try {
    const ms = parseGoDuration(value.replace(/^-/, ''));
    if (!value.startsWith('-')) {
      const t = now - ms;
      return `${Math.floor(t / 1000)}.${String((t % 1000) * 1e6).padStart(9, '0')}`;
    }
  } catch { /* not a duration */ }
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}(?::\d{2}(?::\d{2})?)?)(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (!m) throw new Error(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
  const time = m[2] ? m[2].padEnd(8, ':00'.repeat(2)).slice(0, 8) : '00:00:00';
  const frac = (m[3] ?? '.0').slice(1).padEnd(9, '0').slice(0, 9);
  const zone = m[4] ?? (m[2] ? '' : 'Z');
  const d = new Date(`${m[1]}T${time}${zone}`);
  if (Number.isNaN(d.getTime())) throw new Error(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
  return `${Math.floor(d.getTime() / 1000)}.${frac}`;
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  const c = await client.containerInspect(args[0]!);
  const res = await client.containerLogs(c.Id!, {
    stdout: true, stderr: true, since: getTimestamp(o.since.get), until: getTimestamp(o.until.get),
    timestamps: o.timestamps.get, follow: o.follow.get, tail: o.tail.get, details: o.details.get,
  });
  if (c.Config?.Tty) {
    for await (const chunk of res) {
      if (!cli.out.write(chunk as Buffer)) await new Promise((r) => cli.out.once('drain', r));
    }
  } else await demuxStream(res, cli.out, cli.err);
}
