import assert from 'node:assert/strict';
import { test } from 'node:test';
import { intQuery } from './query.js';

test('intQuery() reads integers as strconv.Atoi and refuses the rest', () => {
  const q = new URLSearchParams('limit=5&neg=-2&bad=5x&float=1.5&empty=');
  assert.equal(intQuery(q, 'limit'), 5);
  assert.equal(intQuery(q, 'neg'), -2);
  assert.equal(intQuery(q, 'empty'), 0);
  assert.equal(intQuery(q, 'absent'), 0);
  assert.throws(() => intQuery(q, 'bad'), { message: 'strconv.Atoi: parsing "5x": invalid syntax' });
  assert.throws(() => intQuery(q, 'float'), { message: 'strconv.Atoi: parsing "1.5": invalid syntax' });
  assert.throws(() => intQuery(q, 'absent', { required: true }), { message: 'strconv.Atoi: parsing "": invalid syntax' });
});
