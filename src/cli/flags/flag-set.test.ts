import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlagError, FlagSet, HelpRequested } from './flag-set.js';
import { validateAttach } from '../opts/validators.js';

/** The flags of a run-like command, enough to exercise every parser path. */
function runLike(interspersed = false) {
  const fs = new FlagSet();
  fs.interspersed = interspersed;
  const f = {
    detach: fs.bool('detach', 'd', false, 'Run container in background'),
    interactive: fs.bool('interactive', 'i', false, 'Keep STDIN open'),
    tty: fs.bool('tty', 't', false, 'Allocate a pseudo-TTY'),
    rm: fs.bool('rm', '', false, 'Remove when done'),
    name: fs.string('name', '', '', 'Assign a name'),
    env: fs.list('env', 'e', 'Set environment variables'),
    publish: fs.list('publish', 'p', 'Publish ports'),
    memory: fs.bytes('memory', 'm', 'Memory limit'),
    timeout: fs.int('stop-timeout', '', 0, 'Timeout'),
    cpus: fs.nanoCpus('cpus', '', 'Number of CPUs'),
    attach: fs.list('attach', 'a', 'Attach', validateAttach),
    ulimit: fs.ulimit('ulimit', '', 'Ulimit options'),
    filter: fs.filter(),
    health: fs.duration('health-interval', '', 0, 'Interval'),
    hostname: fs.string('hostname', 'h', '', 'Container host name'),
  };
  return { fs, f };
}

type Case = { argv: string[]; interspersed?: boolean; expect: Record<string, unknown>; args: string[] };

const OK: Record<string, Case> = {
  'short cluster -itd': { argv: ['-itd', 'img'], expect: { detach: true, interactive: true, tty: true }, args: ['img'] },
  'attached short value -p80': { argv: ['-p80', 'img'], expect: { publish: ['80'] }, args: ['img'] },
  'short value with equals -eA=1': { argv: ['-eA=1', 'img'], expect: { env: ['A=1'] }, args: ['img'] },
  'short flag = value -e=A=1': { argv: ['-e=A=1', 'img'], expect: { env: ['A=1'] }, args: ['img'] },
  'separate short value': { argv: ['-e', 'A=1', 'img'], expect: { env: ['A=1'] }, args: ['img'] },
  'cluster ending in a value flag takes the next arg': { argv: ['-dp', '80:80', 'img'], expect: { detach: true, publish: ['80:80'] }, args: ['img'] },
  'cluster with attached value': { argv: ['-dp80', 'img'], expect: { detach: true, publish: ['80'] }, args: ['img'] },
  'long with equals': { argv: ['--name=web', 'img'], expect: { name: 'web' }, args: ['img'] },
  'long with separate value': { argv: ['--name', 'web', 'img'], expect: { name: 'web' }, args: ['img'] },
  'long bool false': { argv: ['--rm=false', 'img'], expect: { rm: false }, args: ['img'] },
  'long bool true words': { argv: ['--rm=True', 'img'], expect: { rm: true }, args: ['img'] },
  'repeatable list': { argv: ['-e', 'A', '-e', 'B', '--env=C', 'img'], expect: { env: ['A', 'B', 'C'] }, args: ['img'] },
  'stops at the first positional when not interspersed': { argv: ['img', '-d', 'x'], expect: { detach: false }, args: ['img', '-d', 'x'] },
  'interspersed keeps parsing after positionals': { argv: ['a', '-d', 'b'], interspersed: true, expect: { detach: true }, args: ['a', 'b'] },
  'double dash ends the flags': { argv: ['-d', '--', '-i'], interspersed: true, expect: { detach: true, interactive: false }, args: ['-i'] },
  'lone dash is positional': { argv: ['-', 'x'], interspersed: true, expect: {}, args: ['-', 'x'] },
  'memory bytes': { argv: ['-m', '512m', 'img'], expect: { memory: 512 * 1024 * 1024 }, args: ['img'] },
  'decimal cpus': { argv: ['--cpus', '1.5', 'img'], expect: { cpus: 1_500_000_000 }, args: ['img'] },
  'negative int': { argv: ['--stop-timeout', '-1', 'img'], expect: { timeout: -1 }, args: ['img'] },
  'hex int as Go parses base 0': { argv: ['--stop-timeout=0x10', 'img'], expect: { timeout: 16 }, args: ['img'] },
  'attach normalizes case': { argv: ['-a', 'STDOUT', 'img'], expect: { attach: ['stdout'] }, args: ['img'] },
  'ulimit soft:hard': { argv: ['--ulimit', 'nofile=10:20', 'img'], expect: { ulimit: [{ Name: 'nofile', Soft: 10, Hard: 20 }] }, args: ['img'] },
  'filter lower-cases names': { argv: ['-f', 'Status=exited', '-f', 'label=a=b'], interspersed: true, expect: { filter: { status: ['exited'], label: ['a=b'] } }, args: [] },
  'duration': { argv: ['--health-interval', '1m30s', 'img'], expect: { health: 90_000 }, args: ['img'] },
  'value that looks like a flag is taken': { argv: ['--name', '-x', 'img'], expect: { name: '-x' }, args: ['img'] },
};

for (const [name, c] of Object.entries(OK)) {
  test(`parse(): ${name}`, () => {
    const { fs, f } = runLike(c.interspersed ?? false);
    const r = fs.parse(c.argv);
    assert.deepEqual(r.args, c.args);
    for (const [k, v] of Object.entries(c.expect)) assert.deepEqual((f as Record<string, { get: unknown }>)[k]!.get, v, k);
  });
}

// Every error text pflag (and docker's value types) produce, byte for byte.
const ERRORS: Record<string, [string[], string]> = {
  'unknown long flag': [['--foo'], 'unknown flag: --foo'],
  'unknown long flag with value': [['--foo=bar'], 'unknown flag: --foo'],
  'unknown shorthand': [['-z'], "unknown shorthand flag: 'z' in -z"],
  'unknown shorthand inside a cluster': [['-dz'], "unknown shorthand flag: 'z' in -z"],
  'equals after a bool shorthand': [['-d='], "unknown shorthand flag: '=' in -="],
  'bad flag syntax': [['---x'], 'bad flag syntax: ---x'],
  'bad flag syntax with equals': [['--=x'], 'bad flag syntax: --=x'],
  'long flag needs an argument': [['--name'], 'flag needs an argument: --name'],
  'short flag needs an argument': [['-e'], "flag needs an argument: 'e' in -e"],
  'invalid bool': [['--rm=maybe'], 'invalid argument "maybe" for "--rm" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
  'invalid bool on a shorthand flag': [['--detach=2'], 'invalid argument "2" for "-d, --detach" flag: strconv.ParseBool: parsing "2": invalid syntax'],
  'invalid int': [['--stop-timeout', 'abc'], 'invalid argument "abc" for "--stop-timeout" flag: strconv.ParseInt: parsing "abc": invalid syntax'],
  'int out of range': [['--stop-timeout', '99999999999999999999'], 'invalid argument "99999999999999999999" for "--stop-timeout" flag: strconv.ParseInt: parsing "99999999999999999999": value out of range'],
  'invalid size': [['-m', 'abc'], `invalid argument "abc" for "-m, --memory" flag: invalid size: 'abc'`],
  'invalid cpus': [['--cpus', 'x'], 'invalid argument "x" for "--cpus" flag: failed to parse x as a rational number'],
  'too precise cpus': [['--cpus', '0.0000000001'], 'invalid argument "0.0000000001" for "--cpus" flag: value is too precise'],
  'invalid attach stream': [['-a', 'foo'], 'invalid argument "foo" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR'],
  'invalid ulimit argument': [['--ulimit', 'nofile'], 'invalid argument "nofile" for "--ulimit" flag: invalid ulimit argument: nofile'],
  'invalid ulimit type': [['--ulimit', 'foo=1'], 'invalid argument "foo=1" for "--ulimit" flag: invalid ulimit type: foo'],
  'ulimit soft above hard': [['--ulimit', 'nofile=20:10'], 'invalid argument "nofile=20:10" for "--ulimit" flag: ulimit soft limit must be less than or equal to hard limit: 20 > 10'],
  'bad filter': [['-f', 'bad'], 'invalid argument "bad" for "-f, --filter" flag: bad format of filter (expected name=value)'],
  'bad duration': [['--health-interval', '5x'], 'invalid argument "5x" for "--health-interval" flag: time: invalid duration "5x"'],
};

for (const [name, [argv, msg]] of Object.entries(ERRORS)) {
  test(`parse() fails with docker's text: ${name}`, () => {
    const { fs } = runLike(true);
    assert.throws(() => fs.parse(argv), (e: unknown) => e instanceof FlagError && e.message === msg);
  });
}

test('parse() reports --help and -h as a help request when -h is free', () => {
  const fs = new FlagSet();
  fs.bool('all', 'a', false, 'All');
  assert.throws(() => fs.parse(['--help']), HelpRequested);
  assert.throws(() => fs.parse(['-h']), HelpRequested);
});

test('parse() gives -h to a command that defines it (run -h is --hostname)', () => {
  const { fs, f } = runLike(false);
  fs.parse(['-h', 'box', 'img']);
  assert.equal(f.hostname.get, 'box');
});

test('changed tells a flag given on the command line from its default', () => {
  const { fs, f } = runLike(true);
  fs.parse(['--stop-timeout', '0']);
  assert.equal(f.timeout.changed, true);
  assert.equal(f.rm.changed, false);
  assert.equal(fs.changed('stop-timeout'), true);
});

test('an alias shares the value of its flag (--net and --network)', () => {
  const fs = new FlagSet();
  const net = fs.list('network', '', 'Connect a container to a network');
  fs.alias('net', net);
  fs.parse(['--net', 'a', '--network', 'b']);
  assert.deepEqual(net.get, ['a', 'b']);
  assert.equal(fs.lookup('net')!.hidden, true);
});

test('a deprecated shorthand warns on use', () => {
  const fs = new FlagSet();
  const warnings: string[] = [];
  fs.warn = (m) => warnings.push(m);
  const help = fs.bool('help', 'h', false, 'Print usage');
  help.shorthandDeprecated = 'use --help';
  fs.parse(['-h']);
  assert.equal(help.get, true);
  assert.deepEqual(warnings, ['Flag shorthand -h has been deprecated, use --help\n']);
});
