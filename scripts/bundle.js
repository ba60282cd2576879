#!/usr/bin/env node
// Bundle the two programs from tsc's output, and make the CLI's V8 code cache.
// See docs/decisions/0004-bundled-programs.md and 0005-cli-code-cache.md.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import { Readable, Writable } from 'node:stream';
import { build } from 'esbuild';

const out = resolve('dist/bundle');
rmSync(out, { recursive: true, force: true });
// Commands whose help the code cache is made from (below).
const COMMAND_PATHS = ['run', 'create', 'ps', 'start', 'stop', 'rm', 'logs', 'inspect', 'images', 'image inspect', 'rmi', 'load', 'save', 'import', 'version', 'info'];
// The commit and its time, for `version` (src/base/build-info.ts); a tree without git says "unknown".
const git = (args) => { try { return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return ''; } };
const stamp = { commit: git(['rev-parse', '--short=7', 'HEAD']) || 'unknown', time: git(['log', '-1', '--format=%cI']) };
const common = { define: { BERTH_BUILD: JSON.stringify(stamp) }, bundle: true, platform: 'node', target: 'node20', external: ['node-unix-socket'], logLevel: 'warning', legalComments: 'none' };
await build({ ...common, format: 'esm', entryPoints: { berthd: 'dist/src/daemon/main.js' }, outdir: out, outExtension: { '.js': '.mjs' } });
// berth's registry server, its own program (bin/berth-registry.js), also the entrypoint of `berth image mkimage registry`.
await build({ ...common, format: 'esm', entryPoints: { 'berth-registry': 'dist/src/registry/server/main.js' }, outdir: out, outExtension: { '.js': '.mjs' },
  // yaml and bcryptjs are CommonJS and require node's modules.
  banner: { js: 'import { createRequire as __berthCreateRequire } from "node:module"; const require = __berthCreateRequire(import.meta.url);' } });
// One CommonJS file, so that bin/berth.cjs can compile it with a V8 code cache.
// import.meta.url has no CommonJS form: the bundle's own file URL stands in for it.
await build({
  ...common, format: 'cjs', entryPoints: { berth: 'dist/src/cli/main.js' }, outdir: out, outExtension: { '.js': '.cjs' },
  define: { ...common.define, 'import.meta.url': '__berthModuleUrl' },
  banner: { js: 'var __berthModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
});

// bin/berth.cjs reads the bundle as latin1, which is only right for ASCII. esbuild escapes
// non-ASCII in strings but not in every regular expression: escape those in the source.
const cliText = readFileSync(`${out}/berth.cjs`);
const wide = cliText.findIndex((b) => b > 0x7f);
if (wide >= 0) throw new Error(`dist/bundle/berth.cjs is not ASCII at byte ${wide}: ${JSON.stringify(cliText.subarray(Math.max(0, wide - 40), wide + 10).toString())}`);

// Make the CLI's code cache from a run through every command's help, so that it holds the code of
// every command module and not only the first command a user happens to run.
const require = createRequire(import.meta.url);
const { loadBundle } = require('../bin/berth.cjs');
rmSync(`${out}/berth.cjs.cache`, { force: true });
const { main, saveCache } = loadBundle();
const sink = new Writable({ write: (_c, _e, done) => done() });
const io = { stdin: Readable.from([]), stdout: sink, stderr: sink };
process.env.DOCKER_HOST = `unix://${out}/no-daemon.sock`;
for (const args of [['--help'], ...COMMAND_PATHS.map((p) => [...p.split(' '), '--help'])]) await main(args, io);
saveCache();
