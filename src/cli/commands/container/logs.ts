import { demuxStream } from '../../../client/index.js';
import { getTimestamp as getDockerTimestamp } from '../../../base/index.js';
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

/** docker's GetTimestamp (a duration counts back from now, a date is converted, Unix seconds pass), '' for no value. */
export function getTimestamp(value: string, now = Date.now()): string {
  return value === '' ? '' : getDockerTimestamp(value, { now });
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
