import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

test('a bundle keeps the code cache of its first real run beside the build\'s, and rewrites a rejected one', { skip: !existsSync(built) && 'no bundles (npm run build)' }, () => {
  const { loadBundle } = createRequire(import.meta.url)('../../../bin/berth.cjs') as {
    loadBundle(file: string): { saveCache(real: boolean): void };
  };
  const dir = mkdtempSync(join(tmpdir(), 'berth-launcher-'));
  try {
    const file = join(dir, 'image-pull.cjs');
    copyFileSync(join(dirname(built), 'image-pull.cjs'), file);
    copyFileSync(join(dirname(built), 'image-pull.cjs.cache'), `${file}.cache`);
    const buildCache = readFileSync(`${file}.cache`);

    loadBundle(file).saveCache(false);
    assert.equal(existsSync(`${file}.run-cache`), false, 'a help run (or a failure) leaves the build\'s cache alone');
    loadBundle(file).saveCache(true);
    assert.ok(readFileSync(`${file}.run-cache`).length > 0, 'a real run leaves its own');
    assert.deepEqual(readFileSync(`${file}.cache`), buildCache);

    const runCache = statSync(`${file}.run-cache`).mtimeMs;
    loadBundle(file).saveCache(true);
    assert.equal(statSync(`${file}.run-cache`).mtimeMs, runCache, 'once made, the run\'s cache is used, not remade');

    rmSync(`${file}.run-cache`);
    writeFileSync(`${file}.cache`, 'not a code cache');
    loadBundle(file).saveCache(false);
    assert.notEqual(readFileSync(`${file}.cache`, 'latin1'), 'not a code cache', 'a rejected cache is made again');
    assert.equal(readdirSync(dir).filter((n) => n.endsWith('.tmp')).length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
