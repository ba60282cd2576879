#!/usr/bin/env node
// Bundle the two programs from tsc's output into one module each (plus lazily loaded chunks for the
// CLI's commands): fewer modules to resolve means a faster start and a smaller resident daemon.
// See docs/decisions/0004-bundled-programs.md.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['node-unix-socket'], logLevel: 'warning', legalComments: 'none' };
await build({ ...common, entryPoints: { berthd: 'dist/src/daemon/main.js' }, outdir: 'dist/bundle', outExtension: { '.js': '.mjs' } });
await build({ ...common, entryPoints: { berth: 'dist/src/cli/main.js' }, outdir: 'dist/bundle/cli', splitting: true, outExtension: { '.js': '.mjs' }, chunkNames: 'chunk-[hash]' });
