import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { CliStreams } from './cli.js';
import { main } from './main.js';
import { DOCKER_HELP } from './testdata/docker-help.js';

// No daemon: help then shows every flag, as docker does when it cannot ping one.
process.env.DOCKER_HOST = 'unix:///nonexistent/berth-test.sock';

async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const stdin = new PassThrough();
  stdin.end();
  const code = await main(argv, { stdin, stdout, stderr } as unknown as CliStreams);
  return { code, out, err };
}

for (const [cmd, text] of Object.entries(DOCKER_HELP)) {
  test(`berth ${cmd} --help prints docker's help`, async () => {
    const r = await runCli([...cmd.split(' '), '--help']);
    assert.equal(r.code, 0);
    assert.equal(r.out, text);
  });
}

test('management forms share the leaf: container list, container ps', async () => {
  for (const form of [['container', 'list'], ['container', 'ps']]) {
    const r = await runCli([...form, '--help']);
    assert.equal(r.out, DOCKER_HELP['container ls']);
  }
});

// Errors, with docker's texts and exit codes.
const ERRORS: Array<[string[], number, string]> = [
  [['run', '--foo', 'x'], 125, "unknown flag: --foo\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'berth run --help' for more information\n"],
  [['run', '-z', 'x'], 125, "unknown shorthand flag: 'z' in -z\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'berth run --help' for more information\n"],
  [['run', '-m', 'abc', 'x'], 125, `invalid argument "abc" for "-m, --memory" flag: invalid size: 'abc'\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'berth run --help' for more information\n`],
  [['run'], 1, "berth: 'berth run' requires at least 1 argument\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'berth run --help' for more information\n"],
  [['ps', 'extra'], 1, "berth: 'berth ps' accepts no arguments\n\nUsage:  berth ps [OPTIONS]\n\nRun 'berth ps --help' for more information\n"],
  [['rename', 'a'], 1, "berth: 'berth rename' requires 2 arguments\n\nUsage:  berth rename CONTAINER NEW_NAME\n\nRun 'berth rename --help' for more information\n"],
  [['images', 'a', 'b'], 1, "berth: 'berth images' requires at most 1 argument\n\nUsage:  berth images [OPTIONS] [REPOSITORY[:TAG]]\n\nSRun 'berth images --help' for more information\n"],
  [['import'], 1, "berth: 'berth import' requires at least 1 and at most 2 arguments\n\nUsage:  berth import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]\n\nRun 'berth import --help' for more information\n"],
  [['bogus'], 1, "berth: unknown command: berth bogus\n\nRun 'berth --help' for more information\n"],
  [['container', 'foo'], 1, "berth: unknown command: berth container foo\n\nUsage:  berth container\n\nRun 'berth container --help' for more information\n"],
  [['--foo', 'ps'], 125, "unknown flag: --foo\n\nUsage:  berth [OPTIONS] COMMAND [ARG...]\n\nRun 'berth --help' for more information\n"],
  [['run', '--pull=bogus', 'busybox'], 125, `berth: invalid pull option: 'bogus': must be one of "always", "missing" or "never"\n\nRun 'berth run --help' for more information\n`],
  [['run', '--rm', '--restart', 'always', 'busybox'], 125, "berth: conflicting options: cannot specify both --restart and --rm\n\nRun 'berth run --help' for more information\n"],
  [['ps'], 1, 'Cannot connect to the berth daemon at unix:///nonexistent/berth-test.sock. Is the berth daemon running?\n'],
  [['run', 'busybox'], 125, "berth: Cannot connect to the berth daemon at unix:///nonexistent/berth-test.sock. Is the berth daemon running?\n\nRun 'berth run --help' for more information\n"],
];

for (const [argv, code, err] of ERRORS) {
  test(`berth ${argv.join(' ')} exits ${code} with docker's message`, async () => {
    const r = await runCli(argv);
    assert.equal(r.err, err);
    assert.equal(r.code, code);
    assert.equal(r.out, '');
  });
}

test('berth with no command prints help on stderr and exits 0', async () => {
  const r = await runCli([]);
  assert.equal(r.code, 0);
  assert.match(r.err, /^Usage:  berth \[OPTIONS\] COMMAND\n\nA self-sufficient runtime for containers\n\nCommon Commands:\n  run /);
  assert.match(r.err, /\nGlobal Options:\n {6}--config string /);
});

test('berth --version prints the version line', async () => {
  const r = await runCli(['--version']);
  assert.match(r.out, /^berth version \d+\.\d+\.\d+, build \S+\n$/);
});

test('berth container lists its verbs', async () => {
  const r = await runCli(['container', '--help']);
  assert.match(r.out, /^Usage:  berth container COMMAND\n\nManage containers\n\nCommands:\n  attach      Attach local standard input/);
  assert.match(r.out, /\n  ls          List containers\n/);
  assert.match(r.out, /\nRun 'berth container COMMAND --help' for more information on a command.\n$/);
});
