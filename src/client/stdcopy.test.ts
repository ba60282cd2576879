import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { demuxStream, encodeFrame, FrameParser, readFrames, STDERR, STDOUT, SYSTEMERR } from './stdcopy.js';

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const parts: Buffer[] = [];
  stream.on('data', (d: Buffer) => parts.push(d));
  return { stream, text: () => Buffer.concat(parts).toString() };
}

test('FrameParser reads the 8-byte header: stream id, then a big-endian length', () => {
  const p = new FrameParser();
  const header = Buffer.from([1, 0, 0, 0, 0, 0, 0, 5]);
  assert.deepEqual(p.push(Buffer.concat([header, Buffer.from('hello')])), [{ stream: 1, data: Buffer.from('hello') }]);
  assert.equal(p.pending, 0);
});

test('FrameParser joins a frame split at every byte boundary', () => {
  const wire = Buffer.concat([encodeFrame(STDOUT, 'out\n'), encodeFrame(STDERR, 'err\n'), encodeFrame(STDOUT, '')]);
  const p = new FrameParser();
  const frames = [];
  for (const b of wire) frames.push(...p.push(Buffer.from([b])));
  assert.deepEqual(frames.map((f) => [f.stream, f.data.toString()]), [[1, 'out\n'], [2, 'err\n'], [1, '']]);
  assert.equal(p.pending, 0);
});

test('FrameParser returns several frames from one chunk and keeps a partial one', () => {
  const a = encodeFrame(STDOUT, 'a');
  const b = encodeFrame(STDERR, 'bb');
  const p = new FrameParser();
  const frames = p.push(Buffer.concat([a, b, b.subarray(0, 3)]));
  assert.equal(frames.length, 2);
  assert.equal(p.pending, 3);
});

test('FrameParser rejects an unknown stream id', () => {
  assert.throws(() => new FrameParser().push(Buffer.from([9, 0, 0, 0, 0, 0, 0, 0])), /Unrecognized input header: 9/);
});

test('readFrames() iterates a stream of chunks', async () => {
  const src = Readable.from([encodeFrame(STDOUT, 'x'), encodeFrame(STDERR, 'y')]);
  const got: string[] = [];
  for await (const f of readFrames(src)) got.push(`${f.stream}:${f.data}`);
  assert.deepEqual(got, ['1:x', '2:y']);
});

test('demuxStream() writes stdout and stderr frames to their streams', async () => {
  const out = collect();
  const err = collect();
  const wire = Buffer.concat([encodeFrame(STDOUT, 'one\n'), encodeFrame(STDERR, 'two\n'), encodeFrame(STDOUT, 'three\n')]);
  await demuxStream(Readable.from([wire.subarray(0, 5), wire.subarray(5)]), out.stream, err.stream);
  assert.equal(out.text(), 'one\nthree\n');
  assert.equal(err.text(), 'two\n');
});

test('demuxStream() fails with the text of a system-error frame', async () => {
  await assert.rejects(demuxStream(Readable.from([encodeFrame(SYSTEMERR, 'boom')]), null, null), /error from daemon in stream: boom/);
});
