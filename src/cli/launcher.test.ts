import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

// bin/berth.cjs, the launcher: three levels up from dist/src/cli.
const { routeOf } = createRequire(import.meta.url)('../../../bin/berth.cjs') as {
  routeOf(argv: string[], routes: unknown): string | undefined;
};

const routes = {
  valueFlags: ['--config', '--context', '-c', '--host', '-H', '--log-level', '-l'],
  boolFlags: ['--debug', '-D', '--version', '-v'],
  commands: { pull: 'image-pull', ps: 'container-ls', image: { pull: 'image-pull', ls: 'image-ls', list: 'image-ls' }, container: { ls: 'container-ls' } },
};

test('the launcher finds the command past the global options, as they may be spelled', () => {
  assert.equal(routeOf(['pull', 'busybox'], routes), 'image-pull');
  assert.equal(routeOf(['-H', 'unix:///s', 'pull', 'busybox'], routes), 'image-pull');
  assert.equal(routeOf(['--host=unix:///s', '-D', 'ps', '-a'], routes), 'container-ls');
  assert.equal(routeOf(['-Hunix:///s', 'image', 'list'], routes), 'image-ls');
  assert.equal(routeOf(['--config', '/cfg', '--log-level', 'debug', 'image', 'pull', '-q', 'x'], routes), 'image-pull');
  assert.equal(routeOf(['pull', '-H', 'x'], routes), 'image-pull', 'what follows the command is the command\'s');
});

test('the launcher leaves anything it cannot place to the whole CLI', () => {
  for (const argv of [[], ['--help', 'pull'], ['-Dv', 'ps'], ['--unknown', 'ps'], ['image'], ['image', '--help'], ['help', 'pull'], ['nosuch'], ['image', 'nosuch'], ['-H']]) {
    assert.equal(routeOf(argv, routes), undefined, JSON.stringify(argv));
  }
});

const built = new URL('../../bundle/commands/routes.json', import.meta.url).pathname;

test('a one-command bundle sends any other command to the whole CLI, before printing anything', { skip: !existsSync(built) && 'no bundles (npm run build)' }, async () => {
  const { loadBundle } = createRequire(import.meta.url)('../../../bin/berth.cjs') as {
    loadBundle(file: string): { main(argv: string[], io: unknown): Promise<number> };
  };
  const written: string[] = [];
  const sink = { write: (c: string) => (written.push(String(c)), true), isTTY: false, columns: 80, once: () => {} };
  const io = { stdin: process.stdin, stdout: sink, stderr: sink };
  const pull = loadBundle(join(dirname(built), 'image-pull.cjs'));
  await assert.rejects(pull.main(['-H', 'unix:///nonexistent.sock', 'ps'], io), (e: Error) => e.name === 'CommandElsewhere');
  assert.deepEqual(written, []);
  assert.equal(await pull.main(['-H', 'unix:///nonexistent.sock', 'pull', '--help'], io), 0);
  assert.match(written.join(''), /^Usage:  berth pull \[OPTIONS\] NAME/);
});
