import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJsonDocument } from './schema.js';

test('parseJsonDocument() keeps number literals as written and agrees with JSON.parse on values', () => {
  assert.deepEqual(parseJsonDocument('[1.0, -0, 1e30, 12345678901234567890]'), {
    t: 'arr', items: ['1.0', '-0', '1e30', '12345678901234567890'].map((raw) => ({ t: 'num', raw })),
  });
  const text = '{"a":"\\u00e9\\n\\"x\\"","b":[true,false,null],"c":{}}';
  assert.deepEqual(parseJsonDocument(text), {
    t: 'obj', entries: [['a', { t: 'str', v: 'é\n"x"' }], ['b', { t: 'arr', items: [{ t: 'bool', v: true }, { t: 'bool', v: false }, { t: 'null' }] }], ['c', { t: 'obj', entries: [] }]],
  });
  for (const bad of ['1.', '-', '"\\x"', '"a\nb"', '{"a" 1}', 'nul']) assert.throws(() => parseJsonDocument(bad), /^InvalidArgumentError: invalid JSON: /, bad);
});
