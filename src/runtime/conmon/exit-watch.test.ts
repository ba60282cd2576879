import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchExitDir } from './exit-watch.js';

test('watchExitDir() reports an exit file written through a temp name once, skipping the temp', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-exits-'));
  const seen: string[] = [];
  let notify!: () => void;
  const got = new Promise<void>((r) => { notify = r; });
  const stop = watchExitDir(dir, (id) => {
    seen.push(id);
    if (id === 'second') notify();
  });
  try {
    // As conmon (g_file_set_contents): write "<id>.XXXXXX", then rename it into place.
    await writeFile(join(dir, 'first.A1b2C3'), '0');
    await rename(join(dir, 'first.A1b2C3'), join(dir, 'first'));
    await writeFile(join(dir, 'second.Z9y8X7'), '137');
    await rename(join(dir, 'second.Z9y8X7'), join(dir, 'second'));
    await got;
    assert.deepEqual(seen, ['first', 'second']);
  } finally {
    stop();
    await rm(dir, { recursive: true, force: true });
  }
});
