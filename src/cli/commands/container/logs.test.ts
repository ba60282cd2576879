import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getTimestamp } from './logs.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0, 250);

test('getTimestamp() turns durations, dates and unix times into the API\'s seconds.nanos', () => {
  assert.equal(getTimestamp('', NOW), '');
  assert.equal(getTimestamp('1714564800', NOW), '1714564800');
  assert.equal(getTimestamp('1714564800.5', NOW), '1714564800.5');
  assert.equal(getTimestamp('42m', NOW), String(Math.floor(NOW / 1000) - 42 * 60), 'whole seconds, as docker sends');
  assert.equal(getTimestamp('2013-01-02T13:23:37Z', NOW), '1357133017.000000000');
  assert.equal(getTimestamp('2013-01-02T13:23:37.123Z', NOW), '1357133017.123000000');
  assert.equal(getTimestamp('2013-01-02Z', NOW), '1357084800.000000000');
  assert.throws(() => getTimestamp('yesterday', NOW), /failed to parse value as time or duration: "yesterday"/);
});
