#!/usr/bin/env node
// The bundle is what ships (scripts/bundle.js); tsc's per-module output is the fallback.
import { existsSync } from 'node:fs';
const bundle = new URL('../dist/bundle/berthd.mjs', import.meta.url);
await import(existsSync(bundle) ? bundle.href : '../dist/src/daemon/main.js');
