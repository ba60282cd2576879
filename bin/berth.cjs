#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node
// berth. berth speaks no TLS, and NODE_EXTRA_CA_CERTS would make node read a CA bundle at every start.
// The bundle (scripts/bundle.js) is compiled with a V8 code cache kept beside it, made at build
// time and remade here when this node rejects it (docs/decisions/0005-cli-code-cache.md);
// without a bundle, tsc's modules run.
'use strict';
const { existsSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');
const Module = require('node:module');

const bundle = join(__dirname, '../dist/bundle/berth.cjs');

// node's modules that most commands never call: each is loaded on its first use, not at start
// (crypto alone is 15 internal modules; fs/promises brings readline's). The bundle only calls their functions, never spreads them.
const ON_FIRST_USE = new Set(['node:crypto', 'node:zlib', 'node:child_process', 'node:readline', 'node:fs/promises', 'node:os']);

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

function loadBundle() {
  const cachePath = `${bundle}.cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cachePath);
  } catch {}
  // The bundle is ASCII (scripts/bundle.js checks): latin1 makes a one-byte string without UTF-8 decoding.
  const script = new Script(Module.wrap(readFileSync(bundle, 'latin1')), { filename: bundle, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, bundleRequire, mod, bundle, dirname(bundle));
  const remake = cachedData === undefined || script.cachedDataRejected === true;
  return { main: mod.exports.main, saveCache: remake ? () => saveCache(script, cachePath) : () => {} };
}

/** Best effort: a reader sees the old cache or the new one, never half of one. */
function saveCache(script, cachePath) {
  const tmp = `${cachePath}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cachePath);
  } catch {}
}

async function start() {
  // A reader that went away (`berth save busybox | head -c1`) ends berth quietly, as SIGPIPE ends docker.
  process.stdout.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(141);
  });
  const { main, saveCache } = existsSync(bundle) ? loadBundle() : { main: (await import('../dist/src/cli/main.js')).main, saveCache: () => {} };
  const code = await main(process.argv.slice(2));
  saveCache();
  // Exit once output is flushed: an idle keep-alive socket must not keep the CLI alive.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
module.exports = { loadBundle };
if (require.main === module) void start();
