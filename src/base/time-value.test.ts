import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getTimestamp, parseTimestamps, parseTimeValue } from './time-value.js';

// 2026-05-01T12:00:00.250Z: a reference with milliseconds, to see durations drop them as Docker does
const NOW = Date.UTC(2026, 4, 1, 12, 0, 0, 250);
const UTC = { now: NOW, zoneOffsetMinutes: 0 };

// The forms Docker's GetTimestamp reads (moby api/types/time), with what it makes of them in UTC.
const GOLDEN: Array<[string, string]> = [
  ['2006-01-02T15:04:05.999999999+07:00', '1136189045.999999999'],
  ['2006-01-02T15:04:05.999999999Z', '1136214245.999999999'],
  ['2006-01-02T15:04:05.999999999', '1136214245.999999999'],
  ['2006-01-02T15:04:05.5Z', '1136214245.500000000'],
  ['2006-01-02T15:04:05.1234567891234Z', '1136214245.123456789'],
  ['2006-01-02T15:04:05,25Z', '1136214245.250000000'],
  ['2006-01-02T15:04:05Z', '1136214245.000000000'],
  ['2006-01-02T15:04:05', '1136214245.000000000'],
  ['2006-01-02T15:04Z', '1136214240.000000000'],
  ['2006-01-02T15:04+00:00', '1136214240.000000000'],
  ['2006-01-02T15:04-00:00', '1136214240.000000000'],
  ['2006-01-02T15:04', '1136214240.000000000'],
  ['2006-01-02T15Z', '1136214000.000000000'],
  ['2006-01-02T15+00:00', '1136214000.000000000'],
  ['2006-01-02T15-00:00', '1136214000.000000000'],
  ['2006-01-02T15', '1136214000.000000000'],
  ['2006-01-02T1Z', '1136163600.000000000'],
  ['2006-01-02T1', '1136163600.000000000'],
  ['2006-01-02+00:00', '1136160000.000000000'],
  ['2006-01-02-00:00', '1136160000.000000000'],
  ['2006-01-02-00:01', '1136160060.000000000'],
  ['2006-01-02Z', '1136160000.000000000'],
  ['2006-01-02', '1136160000.000000000'],
  ['2015-05-13T20:39:09Z', '1431549549.000000000'],
  ['2024-02-29', '1709164800.000000000'],
  // Unix timestamps pass as they are
  ['1136073600', '1136073600'],
  ['1136073600.000000001', '1136073600.000000001'],
  ['0', '0'],
  // durations count back from now, in whole seconds
  ['1m', String(Math.floor(NOW / 1000) - 60)],
  ['1.5h', String(Math.floor(NOW / 1000) - 5400)],
  ['1h30m', String(Math.floor(NOW / 1000) - 5400)],
  ['.5s', String(Math.floor((NOW - 500) / 1000))],
  ['10m0s', String(Math.floor(NOW / 1000) - 600)],
  ['-10m', String(Math.floor(NOW / 1000) + 600)],
  ['500ms', String(Math.floor((NOW - 500) / 1000))],
];

test('getTimestamp() reads every form Docker reads, as Docker does', () => {
  for (const [value, expected] of GOLDEN) assert.equal(getTimestamp(value, UTC), expected, value);
});

test('getTimestamp() refuses what Docker refuses, with its messages', () => {
  const refused: Array<[string, RegExp]> = [
    ['2006-01-02T15:04:0Z', /^parsing time "2006-01-02T15:04:0Z" as "2006-01-02T15:04:05Z07:00": cannot parse "0Z" as "05"$/],
    ['2006-01-02T15:04:0', /cannot parse "0" as "05"/],
    ['2006-01-02T15:0Z', /as "2006-01-02T15:04Z07:00": cannot parse "0Z" as "04"/],
    ['2006-01-02T15:0', /cannot parse "0" as "04"/],
    ['2006-01-02TZ', /cannot parse "Z" as "15"/],
    ['2006-01-02T', /cannot parse "" as "15"/],
    ['2006-13-02', /^parsing time "2006-13-02": month out of range$/],
    ['2006-02-30', /^parsing time "2006-02-30": day out of range$/],
    ['2006-01-02T24', /hour out of range/],
    ['2006-01-02T15:04:05+0700', /as "2006-01-02T15:04Z07:00": cannot parse ":05\+0700" as "Z07:00"/],
    ['2006-01-02T15:04:05Zjunk', /^parsing time "2006-01-02T15:04:05Zjunk": extra text: "junk"$/],
    ['invalid', /^failed to parse value as time or duration: "invalid"$/],
    ['', /^failed to parse value as time or duration: ""$/],
    ['1136073600.bar', /failed to parse value as time or duration/],
    ['10x', /failed to parse value as time or duration: "10x"/],
  ];
  for (const [value, message] of refused) {
    assert.throws(() => getTimestamp(value, UTC), (e: unknown) => (e as Error).name === 'InvalidArgumentError' && message.test((e as Error).message), value);
  }
});

test('getTimestamp() reads a value without a zone in the given zone, and with one in its own', () => {
  const tokyo = { now: NOW, zoneOffsetMinutes: 9 * 60 };
  assert.equal(getTimestamp('2006-01-02T15:04:05', tokyo), '1136181845.000000000');
  assert.equal(getTimestamp('2006-01-02', tokyo), '1136127600.000000000');
  assert.equal(getTimestamp('2006-01-02T15:04:05Z', tokyo), '1136214245.000000000');
  assert.equal(getTimestamp('2006-01-02-00:01', tokyo), '1136160060.000000000');
});

test('parseTimestamps() splits Unix seconds and nanoseconds as Docker does', () => {
  assert.deepEqual(parseTimestamps('1136073600'), { seconds: 1136073600, nanos: 0 });
  assert.deepEqual(parseTimestamps('1136073600.000000001'), { seconds: 1136073600, nanos: 1 });
  assert.deepEqual(parseTimestamps('1136073600.0000000010'), { seconds: 1136073600, nanos: 1 });
  assert.deepEqual(parseTimestamps('1136073600.00000001'), { seconds: 1136073600, nanos: 10 });
  assert.deepEqual(parseTimestamps('1136073600.5'), { seconds: 1136073600, nanos: 500000000 });
  assert.throws(() => parseTimestamps('foo.bar'), /strconv.ParseInt: parsing "foo": invalid syntax/);
  assert.throws(() => parseTimestamps('1136073600.bar'), /parsing "bar": invalid syntax/);
  assert.throws(() => parseTimestamps(''), /invalid syntax/);
});

test('parseTimeValue() gives epoch milliseconds for every form', () => {
  assert.equal(parseTimeValue('2006-01-02T15:04:05.999999999Z', UTC), 1136214245999);
  assert.equal(parseTimeValue('1136073600.5', UTC), 1136073600500);
  assert.equal(parseTimeValue('10m', UTC), Math.floor(NOW / 1000) * 1000 - 600_000);
  assert.equal(parseTimeValue('0', UTC), 0);
  assert.throws(() => parseTimeValue('soon', UTC), /failed to parse value as time or duration: "soon"/);
});
