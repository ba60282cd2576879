import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ago, humanDuration } from './duration.js';
import { jsonCompact, jsonIndent } from './json-text.js';
import { displayWidth, ellipsis, formatG, goQuote, humanSize3, humanSize4, truncateId } from './text.js';

test('ellipsis() cuts to display columns with a trailing …', () => {
  assert.equal(ellipsis('echo hi', 20), 'echo hi');
  assert.equal(ellipsis('abcdefghijklmnopqrstuvwxyz', 20), 'abcdefghijklmnopqrs…');
  assert.equal(ellipsis('abc', 1), 'a');
  assert.equal(ellipsis('abc', 0), '');
  assert.equal(ellipsis('日本語のテキスト', 7), '日本語…');
  assert.equal(displayWidth('日本'), 4);
});

test('goQuote() quotes like strconv.Quote', () => {
  assert.equal(goQuote('echo "hi"'), '"echo \\"hi\\""');
  assert.equal(goQuote('a\tb\n\x07\x01\x7f'), '"a\\tb\\n\\a\\x01\\x7f"');
  assert.equal(goQuote('héllo…'), '"héllo…"');
});

test('sizes use decimal units with 3 or 4 significant digits', () => {
  assert.equal(humanSize3(0), '0B');
  assert.equal(humanSize3(1234), '1.23kB');
  assert.equal(humanSize3(1_982_000), '1.98MB');
  assert.equal(humanSize3(999), '999B');
  assert.equal(humanSize4(1_982_000), '1.982MB');
  assert.equal(humanSize4(23_540_000_000), '23.54GB');
  assert.equal(formatG(0.0001234, 3), '0.000123');
  assert.equal(formatG(123456, 3), '1.23e+05');
});

test('truncateId() drops the algorithm and keeps 12 characters', () => {
  assert.equal(truncateId('sha256:b90481af7142865a4e13'), 'b90481af7142');
  assert.equal(truncateId('<missing>'), '<missing>');
});

test('humanDuration() follows go-units', () => {
  const cases: Array<[number, string]> = [
    [400, 'Less than a second'], [1600, '1 second'], [47_000, '47 seconds'], [60_000, 'About a minute'],
    [59 * 60_000, '59 minutes'], [60 * 60_000, 'About an hour'], [47 * 3_600_000, '47 hours'],
    [48 * 3_600_000, '2 days'], [14 * 86_400_000, '2 weeks'], [60 * 86_400_000, '2 months'], [2 * 365 * 86_400_000, '2 years'],
  ];
  for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, String(ms));
  assert.equal(ago(100, 103_000), '3 seconds ago');
});

test('jsonIndent() and jsonCompact() keep the daemon\'s bytes and order', () => {
  const raw = '[{"Id":"x","Args":[],"Labels":{},"Html":"\\u003cb\\u003e","N":1.50,"A":[1,{"b":null}]}]';
  assert.equal(jsonIndent(raw), [
    '[',
    '    {',
    '        "Id": "x",',
    '        "Args": [],',
    '        "Labels": {},',
    '        "Html": "\\u003cb\\u003e",',
    '        "N": 1.50,',
    '        "A": [',
    '            1,',
    '            {',
    '                "b": null',
    '            }',
    '        ]',
    '    }',
    ']',
  ].join('\n'));
  assert.equal(jsonCompact('{ "a" : [ 1 , 2 ],\n "s": "x y" }'), '{"a":[1,2],"s":"x y"}');
});
