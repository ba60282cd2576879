import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Goldens live beside the sources; tests may run from any compiled output dir, so find the source tree.
function testdataDir(rel: string): string {
  for (let d = dirname(fileURLToPath(import.meta.url)); d !== dirname(d); d = dirname(d)) {
    if (existsSync(join(d, rel))) return join(d, rel);
    if (existsSync(join(d, 'package.json'))) break;
  }
  return resolve(process.cwd(), rel);
}

/**
 * For tests: `actual` as pretty JSON equals testdata/NAME.json (UPDATE_GOLDEN=1 rewrites it).
 * `testdata`: the directory, relative to the repository (default: the spec builder's).
 */
export function golden(name: string, actual: unknown, opts: { testdata?: string } = {}): void {
  const file = join(testdataDir(opts.testdata ?? join('src', 'runtime', 'spec', 'testdata')), `${name}.json`);
  const text = JSON.stringify(actual, null, 2) + '\n';
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.equal(text, readFileSync(file, 'utf8'), `golden ${name}.json differs (UPDATE_GOLDEN=1 to rewrite)`);
}
