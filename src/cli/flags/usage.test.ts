import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlagSet } from './flag-set.js';
import { flagUsages } from './usage.js';

test('flagUsages() aligns and wraps like pflag (docker stop --help)', () => {
  const fs = new FlagSet();
  fs.string('signal', 's', '', 'Signal to send to the container');
  fs.int('timeout', 't', 0, 'Seconds to wait before killing the container');
  assert.equal(flagUsages(fs, 79), [
    '  -s, --signal string   Signal to send to the container',
    '  -t, --timeout int     Seconds to wait before killing the container',
    '',
  ].join('\n'));
});

test('flagUsages() shows non-zero defaults, quoting strings (docker logs --help)', () => {
  const fs = new FlagSet();
  fs.bool('details', '', false, 'Show extra details provided to logs');
  fs.bool('follow', 'f', false, 'Follow log output');
  fs.string('since', '', '', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)');
  fs.string('tail', 'n', 'all', 'Number of lines to show from the end of the logs');
  fs.bool('timestamps', 't', false, 'Show timestamps');
  fs.bool('help', '', false, 'Print usage').hidden = true;
  assert.equal(flagUsages(fs, 79), [
    '      --details        Show extra details provided to logs',
    '  -f, --follow         Follow log output',
    '      --since string   Show logs since timestamp (e.g.',
    '                       "2013-01-02T13:23:37Z") or relative (e.g. "42m"',
    '                       for 42 minutes)',
    '  -n, --tail string    Number of lines to show from the end of the logs',
    '                       (default "all")',
    '  -t, --timestamps     Show timestamps',
    '',
  ].join('\n'));
});

test('flagUsages() prints "(default ...)" by value type as docker does', () => {
  const fs = new FlagSet();
  fs.bool('sig-proxy', '', true, 'Proxy');
  fs.int('last', 'n', -1, 'Last');
  fs.list('device-read-bps', '', 'Limit', undefined, { bracketsWhenEmpty: true });
  fs.map('sysctl', '', 'Sysctl');
  fs.list('env', 'e', 'Env');
  fs.bytes('memory', 'm', 'Memory');
  fs.duration('interval', '', 0, 'Interval');
  const lines = flagUsages(fs, 0).split('\n');
  const line = (name: string): string => lines.find((l) => l.includes(`--${name} `) || l.endsWith(`--${name}`) || l.includes(`--${name}  `))!;
  assert.match(line('sig-proxy'), /\(default true\)$/);
  assert.match(line('last'), /\(default -1\)$/);
  assert.match(line('device-read-bps'), /\(default \[\]\)$/);
  assert.match(line('sysctl'), /\(default map\[\]\)$/);
  for (const n of ['env', 'memory', 'interval']) assert.doesNotMatch(line(n), /default/);
});

test('flagUsages() keeps embedded newlines and indents them (docker run --cgroupns)', () => {
  const fs = new FlagSet();
  fs.string('cgroupns', '', '', "Cgroup namespace to use (host|private)\n'host':    Run the container in the Docker host's cgroup namespace");
  assert.equal(flagUsages(fs, 79), [
    '      --cgroupns string   Cgroup namespace to use (host|private)',
    "                          'host':    Run the container in the Docker",
    "                          host's cgroup namespace",
    '',
  ].join('\n'));
});

test('flagUsages() names the value from a `backquoted` word of the usage', () => {
  const fs = new FlagSet();
  fs.string('config', '', '', 'Location of client `dir`');
  assert.equal(flagUsages(fs, 79), '      --config dir   Location of client dir\n');
});
