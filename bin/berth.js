#!/usr/bin/env node
import { main } from '../dist/src/cli/main.js';
const code = await main(process.argv.slice(2));
// Exit once output is flushed: an idle keep-alive socket must not keep the CLI alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
