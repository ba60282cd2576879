#!/usr/bin/env -S node --max-semi-space-size=1 --optimize-for-size --no-opt --no-maglev --compact-on-every-full-gc
// berthd. The V8 flags keep the resident daemon small (docs/decisions/0006-daemon-v8-flags.md).
// The bundle is what ships (scripts/bundle.js); tsc's per-module output is the fallback.
import { existsSync } from 'node:fs';
const bundle = new URL('../dist/bundle/berthd.mjs', import.meta.url);
await import(existsSync(bundle) ? bundle.href : '../dist/src/daemon/main.js');
