#!/usr/bin/env node
// The bundle is what ships (scripts/bundle.js); tsc's per-module output is the fallback.
import { existsSync } from 'node:fs';
const bundle = new URL('../dist/bundle/cli/berth.mjs', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/src/cli/main.js');
const code = await main(process.argv.slice(2));
// Exit once output is flushed: an idle keep-alive socket must not keep the CLI alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
