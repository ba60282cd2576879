import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerAbsPath } from './archive.js';
import { goFileMode, goTime } from './path-stat.js';

test('goFileMode() sets Go\'s os.FileMode type and special bits', () => {
  assert.equal(goFileMode(0o100644), 0o644);
  assert.equal(goFileMode(0o040755), 2 ** 31 + 0o755);
  assert.equal(goFileMode(0o120777), 2 ** 27 + 0o777);
  assert.equal(goFileMode(0o020666), 2 ** 26 + 2 ** 21 + 0o666, 'a char device is ModeDevice|ModeCharDevice');
  assert.equal(goFileMode(0o060660), 2 ** 26 + 0o660);
  assert.equal(goFileMode(0o010644), 2 ** 25 + 0o644);
  assert.equal(goFileMode(0o104755), 2 ** 23 + 0o755, 'setuid');
  assert.equal(goFileMode(0o041777), 2 ** 31 + 2 ** 20 + 0o777, 'sticky');
});

test('goTime() is RFC 3339 with nanoseconds, trailing zeros dropped', () => {
  assert.equal(goTime(0, 0), '1970-01-01T00:00:00Z');
  assert.equal(goTime(1_700_000_000, 120_000_000), '2023-11-14T22:13:20.12Z');
  assert.equal(goTime(1_700_000_000, 1), '2023-11-14T22:13:20.000000001Z');
});

test('containerAbsPath() keeps a trailing "/" or "/." as PreserveTrailingDotOrSeparator', () => {
  assert.equal(containerAbsPath('etc'), '/etc');
  assert.equal(containerAbsPath('/etc/'), '/etc/');
  assert.equal(containerAbsPath('/etc/.'), '/etc/.');
  assert.equal(containerAbsPath('/a/../../etc//x'), '/etc/x');
  assert.equal(containerAbsPath('/'), '/');
  assert.equal(containerAbsPath('.'), '/.');
});
