import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { InvalidArgumentError } from '../../base/index.js';
import { applyLayer } from './apply-layer.js';
import { buildHostileTar, HOSTILE_CASES as cases, makeSentinel, recordTree } from './hostile-fixtures.js';

/*
 * Hostile layers against applyLayer(): each case is extracted into <tmp>/work/diff beside a
 * sentinel tree (<tmp>/out, what the archives aim at, and <tmp>/work/sibling), and every entry
 * outside the target is compared byte for byte (contents, modes, owners, mtimes, xattrs) before
 * and after. A case either applies (what it left inside the target is then checked) or is
 * refused with an InvalidArgumentError whose message says why.
 */

test('the hostile-archive suite has at least 40 cases', () => {
  assert.ok(cases.length >= 40, `${cases.length} cases`);
});

for (const c of cases) {
  test(`applyLayer() with a hostile layer: ${c.name}`, { skip: process.getuid?.() !== 0 ? 'needs root (devices, owners, security xattrs)' : false }, async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'berth-hostile-'));
    try {
      const out = join(tmp, 'out');
      const target = join(tmp, 'work', 'diff');
      await makeSentinel(out);
      await mkdir(target, { recursive: true });
      await writeFile(join(tmp, 'work', 'sibling'), 'sibling');
      const tar = await buildHostileTar(c, out);
      const before = await recordTree(tmp, new Set(['work/diff']));
      const run = applyLayer(Readable.from([tar]), { target });
      if (c.refused) {
        await assert.rejects(run, (e: unknown) => {
          assert.ok(e instanceof InvalidArgumentError, `an InvalidArgumentError, got ${String(e)}`);
          assert.match(e.message, c.refused!);
          return true;
        });
      } else {
        await run;
        await c.check?.(target, out);
      }
      assert.deepEqual(await recordTree(tmp, new Set(['work/diff'])), before, 'nothing outside the target changed');
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
}
