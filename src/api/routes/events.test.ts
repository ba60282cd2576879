import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError, type StampedEvent } from '../../base/index.js';
import { eventJson, parseEventTime } from './events.js';

const T = 1796576400123456789n;

test('eventJson() writes dockerd\'s message: legacy fields, sorted attributes, an exact int64 timeNano', () => {
  const ev: StampedEvent = { type: 'container', action: 'die', actor: { id: 'abc', attributes: { name: 'web', image: 'busybox', exitCode: '3', 'a<b': 'x&y' } }, scope: 'local', timeNano: T };
  assert.equal(eventJson(ev),
    '{"status":"die","id":"abc","from":"busybox","Type":"container","Action":"die","Actor":{"ID":"abc","Attributes":{"a\\u003cb":"x\\u0026y","exitCode":"3","image":"busybox","name":"web"}},"scope":"local","time":1796576400,"timeNano":1796576400123456789}');
  const img: StampedEvent = { type: 'image', action: 'tag', actor: { id: 'sha256:1', attributes: { name: 'x:1' } }, scope: 'local', timeNano: T };
  assert.match(eventJson(img), /^\{"status":"tag","id":"sha256:1","Type":"image",/);
  const net: StampedEvent = { type: 'network', action: 'connect', actor: { id: 'n1', attributes: {} }, scope: 'local', timeNano: T };
  assert.match(eventJson(net), /^\{"Type":"network","Action":"connect","Actor":\{"ID":"n1","Attributes":\{\}\}/);
});

test('parseEventTime() reads Unix seconds with a fraction, as dockerd\'s events route', () => {
  assert.equal(parseEventTime('since', null), undefined);
  assert.equal(parseEventTime('since', ''), undefined);
  assert.equal(parseEventTime('since', '0'), 0n);
  assert.equal(parseEventTime('since', '1796576400'), 1796576400n * 1_000_000_000n);
  assert.equal(parseEventTime('since', '1796576400.5'), 1796576400500000000n);
  assert.equal(parseEventTime('until', '1796576400.123456789'), T);
  assert.throws(() => parseEventTime('since', '2026-12-06T17:00:00Z'), (e: unknown) => e instanceof InvalidArgumentError
    && e.message === 'invalid value for \'since\': strconv.ParseInt: parsing "2026-12-06T17:00:00Z": invalid syntax');
  assert.throws(() => parseEventTime('until', '10m'), /invalid value for 'until'/);
  assert.throws(() => parseEventTime('since', '1.'), /parsing "": invalid syntax/);
  assert.throws(() => parseEventTime('since', '1.5x'), /parsing "5x": invalid syntax/);
});
