#!/usr/bin/env node
// berth's registry server (`berth registry serve|garbage-collect`): the bundle, or tsc's modules without one.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/bundle/berth-registry.mjs', import.meta.url));
const { registryMain } = existsSync(bundle) ? await import(bundle) : await import('../dist/src/registry/server/main.js');
process.exitCode = await registryMain(process.argv.slice(2));
