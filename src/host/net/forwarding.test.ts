import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { enableIpv4Forwarding } from './forwarding.js';

test('enableIpv4Forwarding() turns forwarding on once and leaves it on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fwd-'));
  try {
    const f = join(dir, 'ip_forward');
    writeFileSync(f, '0\n');
    assert.equal(await enableIpv4Forwarding(f), true);
    assert.equal(readFileSync(f, 'utf8'), '1\n');
    assert.equal(await enableIpv4Forwarding(f), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
