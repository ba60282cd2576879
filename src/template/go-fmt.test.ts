import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { marshalGoJson, marshalJsonHook, sprint, sprintf, sprintln } from './index.js';

describe('Go fmt over JS values', () => {
  test('sprint() spaces operands only when neither is a string', () => {
    assert.equal(sprint(['a', 1, 2, 'b', null, true]), 'a1 2b<nil> true');
  });

  test('sprintln() spaces every operand and ends the line', () => {
    assert.equal(sprintln(['a', 1]), 'a 1\n');
  });

  test('sprintf() formats nested nils, Maps and bigints as Go would', () => {
    assert.equal(sprintf('%v|%d|%v', [[null, 'a'], 12345678901234567890n, new Map([[2, 'b'], [1, 'a']])]), '[<nil> a]|12345678901234567890|map[1:a 2:b]');
  });

  test('sprintf() applies a verb to every element of a slice', () => {
    assert.equal(sprintf('%q|%x|%5d', [['a', 'b'], [255, 16], [1, 22]]), '["a" "b"]|[ff 10]|[    1    22]');
  });

  test('sprintf() reports wrong, missing and extra arguments in Go\'s notation', () => {
    assert.equal(sprintf('%d %s', ['x']), '%!d(string=x) %!s(MISSING)');
    assert.equal(sprintf('%s', ['a', 1, null]), 'a%!(EXTRA int=1, <nil>)');
  });

  test('sprintf() rounds exact halves to even', () => {
    assert.equal(sprintf('%.0f %.0f %.2f %.1f', [0.5, 3.5, 2.675, 0.25]), '0 4 2.67 0.2');
  });
});

describe('Go JSON', () => {
  test('marshalGoJson() escapes HTML only when asked, and U+2028 always', () => {
    assert.equal(marshalGoJson({ a: '<&>\u2028' }, { escapeHTML: false }), '{"a":"<&>\\u2028"}');
    assert.equal(marshalGoJson({ a: '<&>' }, { escapeHTML: true }), '{"a":"\\u003c\\u0026\\u003e"}');
  });

  test('marshalGoJson() inserts the text of a value\'s marshalJsonHook', () => {
    const v = { inner: { [marshalJsonHook]: () => '"custom"' } };
    assert.equal(marshalGoJson(v, { escapeHTML: false }), '{"inner":"custom"}');
  });

  test('marshalGoJson() refuses NaN like encoding/json', () => {
    assert.throws(() => marshalGoJson(Number.NaN, { escapeHTML: false }), { message: 'json: unsupported value: NaN' });
  });
});
