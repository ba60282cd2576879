// The installed `berth` launcher: its code cache, and the environment it drops (docs/decisions/0005).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const REPO = join(import.meta.dirname, '../../..');
const skip = existsSync(join(REPO, 'dist/bundle/berth.cjs')) ? false : 'needs the bundle (npm run build)';

/** A copy of the launcher and the bundle, so that the test may spoil the cache. */
function install(): string {
  const root = mkdtempSync(join(tmpdir(), 'berth-launcher-'));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'dist/bundle'), { recursive: true });
  copyFileSync(join(REPO, 'bin/berth.cjs'), join(root, 'bin/berth.cjs'));
  copyFileSync(join(REPO, 'dist/bundle/berth.cjs'), join(root, 'dist/bundle/berth.cjs'));
  spawnSync('chmod', ['+x', join(root, 'bin/berth.cjs')]);
  return root;
}

test('a code cache node rejects is made again from the next real run, and the next start uses it', { skip }, () => {
  const root = install();
  try {
    const cache = join(root, 'dist/bundle/berth.cjs.cache');
    const runCache = join(root, 'dist/bundle/berth.cjs.run-cache');
    writeFileSync(cache, 'not a V8 code cache');
    const help = spawnSync(join(root, 'bin/berth.cjs'), ['--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.ok(readFileSync(cache).length > 1000, 'a help run remakes the build\'s cache');
    assert.equal(existsSync(runCache), false);
    const first = spawnSync(join(root, 'bin/berth.cjs'), ['--version'], { encoding: 'utf8' });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^berth version \S+, build \S+\n$/);
    const made = readFileSync(runCache);
    const madeAt = statSync(runCache).mtimeMs;
    assert.ok(made.length > 1000, 'a real run leaves the code it compiled');
    const second = spawnSync(join(root, 'bin/berth.cjs'), ['--version'], { encoding: 'utf8' });
    assert.equal(second.status, 0, second.stderr);
    // an accepted cache is not written again
    assert.equal(statSync(runCache).mtimeMs, madeAt);
    assert.deepEqual(readFileSync(runCache), made);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the launcher drops NODE_EXTRA_CA_CERTS, which would make node parse a CA bundle at every start', { skip }, () => {
  const root = install();
  try {
    // node warns at start when the file it names is missing, so the warning shows whether it read it.
    const bogus = join(root, 'no-such-bundle.pem');
    const r = spawnSync(join(root, 'bin/berth.cjs'), ['--version'], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: bogus } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const plain = spawnSync(process.execPath, ['-e', '0'], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: bogus } });
    assert.match(plain.stderr, /Ignoring extra certs/, 'node itself does read the variable');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
