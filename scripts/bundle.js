#!/usr/bin/env node
// Bundle the two programs from tsc's output, and make the CLI's V8 code cache.
// See docs/decisions/0004-bundled-programs.md and 0005-cli-code-cache.md.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { Readable, Writable } from 'node:stream';
import { build } from 'esbuild';
import { FlagSet } from '../dist/src/cli/flags/index.js';
import { globalFlags } from '../dist/src/cli/main.js';

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
// One CommonJS file, so that bin/berth.cjs can compile it with a V8 code cache. The file is the
// module already wrapped, a function expression of node's five module arguments: compiled as read,
// it is not copied into a second string first (Module.wrap's), which pushed a pull's young
// generation over the mark where V8 schedules a scavenge (3 ms here).
// import.meta.url has no CommonJS form: the bundle's own file URL stands in for it, made when
// read (one command asks for it; node's URL parser is not worth loading at every start).
const cli = {
  ...common, format: 'cjs', outExtension: { '.js': '.cjs' },
  define: { ...common.define, 'import.meta.url': '__berthModule.url' },
  banner: { js: '(function (exports, require, module, __filename, __dirname) { var __berthModule = { get url() { return require("node:url").pathToFileURL(__filename).href; } };' },
  footer: { js: '})' },
};
await build({ ...cli, entryPoints: { berth: 'dist/src/cli/main.js' }, outdir: out });

// One more bundle per command module, holding main and that module only: a command then reads
// and compiles a third of the CLI (docs/decisions/0005). The other commands' modules are stubs
// that throw CommandElsewhere, on which the launcher runs the whole CLI.
const { COMMANDS } = await import('../dist/src/cli/commands/registry.js');
const routes = commandRoutes(COMMANDS);
// In a one-command bundle the CLI's own import()s (the command's module, the client) are static:
// esbuild wraps every module under a dynamic import in a lazy initializer and keeps all of its
// exports, while static imports are tree-shaken. Only the stubs stay behind import().
const stub = (file) => ({
  name: 'one-command',
  setup(b) {
    b.onResolve({ filter: /^\.\/[\w-]+\/[\w-]+\.js$/ }, (a) => (a.importer.endsWith('/cli/commands/registry.js') && a.path !== `./${file}` ? { path: a.path, namespace: 'elsewhere' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'elsewhere' }, () => ({
      contents: `import { CommandElsewhere } from ${JSON.stringify(resolve('dist/src/cli/errors.js'))}; throw new CommandElsewhere();`, loader: 'js', resolveDir: resolve('.'),
    }));
    // berth's modules run nothing on import that another module relies on (none is imported for its
    // side effects alone): one whose exports go unused is left out.
    b.onResolve({ filter: /^\.{1,2}\// }, (a) => (a.importer.includes('/dist/src/') && a.namespace === 'file' ? { path: resolve(dirname(a.importer), a.path), sideEffects: false } : undefined));
    b.onLoad({ filter: /\/dist\/src\/.*\.js$/ }, (a) => {
      const source = readFileSync(a.path, 'utf8');
      const registry = a.path.endsWith('/cli/commands/registry.js');
      const statics = [];
      const contents = source.replace(/\bimport\((['"])(\.{1,2}\/[^'"]+)\1\)/g, (call, _q, spec) => {
        if (registry && spec !== `./${file}`) return call;
        statics.push(spec);
        return `Promise.resolve(__berthStatic${statics.length - 1})`;
      });
      if (statics.length === 0) return undefined;
      return { contents: statics.map((spec, i) => `import * as __berthStatic${i} from ${JSON.stringify(spec)};\n`).join('') + contents, loader: 'js' };
    });
  },
});
await Promise.all(routes.files.map((file) => build({ ...cli, entryPoints: { [bundleName(file)]: 'dist/src/cli/main.js' }, outdir: `${out}/commands`, plugins: [stub(file)] })));
writeFileSync(`${out}/commands/routes.json`, JSON.stringify({ ...globalOptionNames(), commands: routes.commands }));

// bin/berth.cjs reads the bundles as latin1, which is only right for ASCII. esbuild escapes
// non-ASCII in strings but not in every regular expression: escape those in the source.
for (const file of [`${out}/berth.cjs`, ...routes.files.map((f) => `${out}/commands/${bundleName(f)}.cjs`)]) {
  const text = readFileSync(file);
  const wide = text.findIndex((b) => b > 0x7f);
  if (wide >= 0) throw new Error(`${file} is not ASCII at byte ${wide}: ${JSON.stringify(text.subarray(Math.max(0, wide - 40), wide + 10).toString())}`);
}

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
saveCache(false); // help runs: the build's cache, not a run's

// Each command bundle's code cache: its --help run once through the launcher, which writes the
// cache it finds missing. Two at a time.
const noDaemon = { ...process.env, DOCKER_HOST: `unix://${out}/no-daemon.sock` };
delete noDaemon.NODE_EXTRA_CA_CERTS;
const helpRuns = Object.entries(routes.example);
const runHelp = ([, path]) => new Promise((done, fail) => {
  execFile(process.execPath, ['bin/berth.cjs', ...path.split(' '), '--help'], { env: noDaemon }, (e) => (e ? fail(e) : done()));
});
for (let i = 0; i < helpRuns.length; i += 2) await Promise.all(helpRuns.slice(i, i + 2).map(runHelp));
for (const [file] of helpRuns) if (!existsSync(`${out}/commands/${bundleName(file)}.cjs.cache`)) throw new Error(`no code cache made for ${file}`);

/** `container/ls.js` → `container-ls` */
function bundleName(file) {
  return file.replace(/\.js$/, '').replace('/', '-');
}

/**
 * Every command path (and alias) and the bundle of the module it loads: `{ ps: 'container-ls',
 * container: { ls: 'container-ls', ... } }`; the module is read off the spec's loader.
 */
function commandRoutes(specs) {
  const files = new Set();
  const example = {};
  const fileOf = (spec) => {
    const m = /import\(['"]\.\/([\w-]+\/[\w-]+\.js)['"]\)/.exec(String(spec.load));
    if (!m) throw new Error(`cannot tell the module of command ${spec.name}`);
    files.add(m[1]);
    return m[1];
  };
  const level = (list, prefix) => {
    const table = {};
    for (const spec of list) {
      let route;
      if (spec.children) route = level(spec.children, `${prefix}${spec.name} `);
      else {
        const file = fileOf(spec);
        example[file] ??= `${prefix}${spec.name}`;
        route = bundleName(file);
      }
      for (const n of [spec.name, ...(spec.aliases ?? [])]) table[n] = route;
    }
    return table;
  };
  const commands = level(specs, '');
  return { commands, files: [...files], example };
}

/** The global options' spellings, those that take the next argument as their value and the others. */
function globalOptionNames() {
  const fs = new FlagSet();
  globalFlags(fs);
  const names = (f) => [`--${f.name}`, ...(f.short ? [`-${f.short}`] : [])];
  return {
    valueFlags: fs.sorted().filter((f) => f.noOptDefVal === '').flatMap(names),
    boolFlags: fs.sorted().filter((f) => f.noOptDefVal !== '').flatMap(names),
  };
}
