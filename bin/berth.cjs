#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node
// berth. berth speaks no TLS, and NODE_EXTRA_CA_CERTS would make node read a CA bundle at every start.
// The bundles (scripts/bundle.js) are compiled with a V8 code cache kept beside each, made at build
// time, made again from a command's first real run, and remade here when this node rejects it
// (docs/decisions/0005-cli-code-cache.md): the command's own bundle when the arguments name one,
// else the whole CLI; without bundles, tsc's modules run.
'use strict';
const { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const bundle = join(__dirname, '../dist/bundle/berth.cjs');
const commandBundles = join(__dirname, '../dist/bundle/commands');

// node's modules that most commands never call: each is loaded on its first use, not at start
// (crypto alone is 15 internal modules; fs/promises brings readline's). The bundle only calls their functions, never spreads them.
const ON_FIRST_USE = new Set(['node:crypto', 'node:zlib', 'node:child_process', 'node:readline', 'node:fs/promises', 'node:os', 'node:http']);

function bundleRequire(id) {
  if (!ON_FIRST_USE.has(id)) return require(id);
  let mod;
  const real = () => (mod ??= require(id));
  return new Proxy({}, {
    get: (_t, key) => real()[key],
    has: (_t, key) => key in real(),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_t, key) => {
      const d = Object.getOwnPropertyDescriptor(real(), key);
      return d && { ...d, configurable: true };
    },
  });
}

/**
 * Compile a bundle with the best code cache beside it: the one the first real run of its command
 * left (`.run-cache`: that command's own code, compiled), else the build's (`.cache`, made from
 * `--help` runs). After the command, `saveCache(real)` writes what is missing: `real` when the run
 * did the command's work (not its help, not a failure), so that its compiled code is worth keeping.
 */
function loadBundle(file = bundle) {
  const runCache = `${file}.run-cache`;
  const buildCache = `${file}.cache`;
  let cachedData;
  let from;
  for (const path of [runCache, buildCache]) {
    try {
      cachedData = readFileSync(path);
      from = path;
      break;
    } catch {}
  }
  // The bundle is ASCII (scripts/bundle.js checks): latin1 makes a one-byte string without UTF-8
  // decoding. It is a module already wrapped (a function of exports, require, module, ...).
  const script = new Script(readFileSync(file, 'latin1'), { filename: file, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, bundleRequire, mod, file, dirname(file));
  const rejected = cachedData === undefined || script.cachedDataRejected === true;
  const saveCache = (real) => {
    if (real && (rejected || from !== runCache)) writeCache(script, runCache);
    else if (rejected && from !== runCache) writeCache(script, buildCache);
  };
  return { main: mod.exports.main, saveCache };
}

/** Best effort: a reader sees the old cache or the new one, never half of one. */
function writeCache(script, cachePath) {
  const tmp = `${cachePath}.${process.pid}.tmp`;
  let fd;
  try {
    // opened before the cache is made: where berth may not write (an install owned by root),
    // a run does not serialize its code for nothing
    fd = openSync(tmp, 'wx');
  } catch {
    return;
  }
  try {
    writeFileSync(fd, script.createCachedData());
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, cachePath);
  } catch {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
  }
}

/**
 * The bundle of the command `argv` names: global options skipped (`-H x`, `--host=x`, `-Hx`, `-D`,
 * as routes.json lists them from the CLI's own), then the command and, under a management
 * command, its subcommand. Anything else (no command, help, an option it does not know) goes to
 * the whole CLI, which is always right, only slower.
 */
function routeOf(argv, routes) {
  let i = 0;
  while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '-') {
    const a = argv[i];
    if (routes.valueFlags.includes(a)) i += 2;
    else if (a.startsWith('--') ? routes.valueFlags.includes(a.split('=')[0]) : routes.valueFlags.includes(a.slice(0, 2))) i += 1;
    else if (routes.boolFlags.includes(a)) i += 1;
    else return undefined;
  }
  let route = routes.commands[argv[i]];
  if (route && typeof route === 'object') route = route[argv[i + 1]];
  return typeof route === 'string' ? route : undefined;
}

function commandBundle(argv) {
  try {
    const route = routeOf(argv, JSON.parse(readFileSync(join(commandBundles, 'routes.json'), 'utf8')));
    return route && join(commandBundles, `${route}.cjs`);
  } catch {
    return undefined;
  }
}

/** Run `argv` with the command's own bundle, or the whole CLI when none is named or the stub of another is reached. */
async function runBundled(argv) {
  let loaded = loadBundle(commandBundle(argv));
  let code;
  try {
    code = await loaded.main(argv);
  } catch (e) {
    // A one-command bundle reached another command's stub, before printing anything.
    if (e?.name !== 'CommandElsewhere') throw e;
    loaded = loadBundle();
    code = await loaded.main(argv);
  }
  loaded.saveCache(code === 0 && !argv.includes('--help'));
  return code;
}

async function start() {
  // A reader that went away (`berth save busybox | head -c1`) ends berth quietly, as SIGPIPE ends docker.
  process.stdout.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(141);
  });
  const argv = process.argv.slice(2);
  const code = existsSync(bundle) ? await runBundled(argv) : await (await import('../dist/src/cli/main.js')).main(argv);
  // Exit once output is flushed: an idle keep-alive socket must not keep the CLI alive.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
module.exports = { loadBundle, routeOf };
if (require.main === module) void start();
