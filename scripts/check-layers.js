#!/usr/bin/env node
// Checks that imports between src/ modules follow the layering in DESIGN.md.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname ?? dirname(new URL(import.meta.url).pathname), '../src');

const SERVER_BASE = ['base', 'oci', 'host', 'store'];
const ALLOWED = {
  base: [],
  oci: ['base'],
  // The Dockerfile language: the builder's parser and its metadata instructions, also `commit/import --change`.
  dockerfile: ['base', 'oci'],
  host: ['base', 'oci'],
  store: ['base', 'oci'],
  image: [...SERVER_BASE, 'dockerfile'],
  snapshot: [...SERVER_BASE, 'image'],
  registry: [...SERVER_BASE, 'image', 'snapshot'],
  runtime: [...SERVER_BASE, 'image', 'snapshot'],
  network: [...SERVER_BASE],
  volume: [...SERVER_BASE],
  container: [...SERVER_BASE, 'image', 'snapshot', 'runtime', 'network', 'volume'],
  build: [...SERVER_BASE, 'dockerfile', 'image', 'snapshot', 'runtime', 'network', 'volume', 'container'],
  cluster: ['base', 'oci', 'store', 'client', 'api/types'],
  'api/types': ['base', 'oci'],
  'api/server': ['base'],
  'api/routes': ['base', 'oci', 'api/types', 'api/server', 'container', 'image', 'network', 'volume', 'build', 'cluster'],
  daemon: ['*'],
  // The client side works against real Docker too: only the API's types, never the engine.
  template: ['base'],
  client: ['base', 'oci', 'api/types'],
  // mkimage builds base images from host files on the client (docs/decisions/0001-client-side-mkimage.md).
  mkimage: ['base', 'oci', 'host', 'image'],
  // cp and build read the client's files as tar, and cp writes them back (docs/decisions/0013-client-side-tar.md).
  localcopy: ['base', 'oci', 'host', 'image'],
  cli: ['base', 'oci', 'api/types', 'client', 'template', 'mkimage', 'localcopy'],
  compose: ['base', 'oci', 'api/types', 'client', 'template'],
};

function moduleOf(file) {
  const rel = relative(SRC, file).split('/');
  return rel[0] === 'api' ? `api/${rel[1]}` : rel[0];
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) yield p;
  }
}

const problems = [];
for (const file of walk(SRC)) {
  const from = moduleOf(file);
  const allowed = ALLOWED[from];
  if (!allowed) { problems.push(`${relative(SRC, file)}: module "${from}" has no layer in scripts/check-layers.js`); continue; }
  if (allowed.includes('*') || file.endsWith('.test.ts')) continue;
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2];
    const target = resolve(dirname(file), spec);
    if (!target.startsWith(SRC)) continue;
    const to = moduleOf(target);
    if (to !== from && !allowed.includes(to)) problems.push(`${relative(SRC, file)}: ${from} must not import ${to} (${spec})`);
  }
}
if (problems.length) {
  console.error(`layering violations:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('layers: ok');
