import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { test } from 'node:test';
import { tlsMaterialFor } from './certs.js';

test('tlsMaterialFor() adds certs.d CAs of every root and a client certificate pair, and refuses a lone key', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-certs-'));
  try {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await mkdir(join(a, 'reg:5000'), { recursive: true });
    await mkdir(join(b, 'reg:5000'), { recursive: true });
    await writeFile(join(a, 'reg:5000', 'ca.crt'), 'CA-A');
    await writeFile(join(b, 'reg:5000', 'extra.crt'), 'CA-B');
    await writeFile(join(b, 'reg:5000', 'client.cert'), 'CERT');
    await writeFile(join(b, 'reg:5000', 'client.key'), 'KEY');
    const m = await tlsMaterialFor('reg:5000', [a, join(dir, 'missing'), b]);
    assert.ok(m.ca.length >= rootCertificates.length + 2);
    assert.deepEqual(m.ca.slice(-2), ['CA-A', 'CA-B']);
    assert.equal(m.cert?.toString(), 'CERT');
    assert.equal(m.key?.toString(), 'KEY');
    assert.equal((await tlsMaterialFor('other:1', [a])).cert, undefined);
    assert.equal((await tlsMaterialFor('../a', [a])).ca.includes('CA-A'), false);
    await writeFile(join(a, 'reg:5000', 'lone.key'), 'KEY');
    await assert.rejects(tlsMaterialFor('reg:5000', [a]), /missing client certificate lone.cert for key lone.key/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
