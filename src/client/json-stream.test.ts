import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { JsonValueSplitter, readJsonMessages } from './json-stream.js';

test('JsonValueSplitter splits values on lines, back to back, and across chunks', () => {
  const sp = new JsonValueSplitter();
  assert.deepEqual(sp.push('{"status":"a"}\r\n{"status":'), [{ status: 'a' }]);
  assert.deepEqual(sp.push('"b"}{"id":"x","status":"c}{"}'), [{ status: 'b' }, { id: 'x', status: 'c}{' }]);
  assert.deepEqual(sp.push('\n'), []);
  assert.equal(sp.rest, '');
});

test('JsonValueSplitter is not fooled by escaped quotes and braces in strings', () => {
  const sp = new JsonValueSplitter();
  assert.deepEqual(sp.push('{"stream":"a \\"}\\" {"}'), [{ stream: 'a "}" {' }]);
});

test('readJsonMessages() decodes UTF-8 split inside a character', async () => {
  const bytes = Buffer.from('{"status":"héllo"}\n');
  const src = Readable.from([bytes.subarray(0, 13), bytes.subarray(13)]);
  const got = [];
  for await (const m of readJsonMessages(src)) got.push(m);
  assert.deepEqual(got, [{ status: 'héllo' }]);
});

test('readJsonMessages() fails on a truncated stream', async () => {
  await assert.rejects(async () => {
    for await (const _ of readJsonMessages(Readable.from(['{"status":']))) void _;
  }, /Unexpected end of JSON stream/);
});
