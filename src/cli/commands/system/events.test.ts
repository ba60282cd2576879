import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileTemplate, executeTemplate } from '../../formatter/format.js';
import { EventRow, prettyEvent, rfc3339NanoFixed } from './events.js';

const T = 1796576400012345678n;
const msg = {
  status: 'die', id: 'abc', from: 'busybox', Type: 'container', Action: 'die',
  Actor: { ID: 'abc', Attributes: { name: 'web', image: 'busybox', exitCode: '3' } }, scope: 'local', time: 1796576400, timeNano: 0,
};

test('prettyEvent() prints docker\'s line: fixed nanoseconds, type, action, ID, sorted attributes', { skip: new Date().getTimezoneOffset() !== 0 }, () => {
  assert.equal(rfc3339NanoFixed(T), '2026-12-06T17:00:00.012345678Z');
  assert.equal(prettyEvent(new EventRow(msg, T)), '2026-12-06T17:00:00.012345678Z container die abc (exitCode=3, image=busybox, name=web)\n');
  const prune = new EventRow({ Type: 'image', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: '0' } }, scope: 'local', time: 1796576400 }, T);
  assert.equal(prettyEvent(prune), '2026-12-06T17:00:00.012345678Z image prune  (reclaimed=0)\n');
});

test('EventRow gives templates Go\'s field names and {{json .}} the wire\'s', () => {
  const row = new EventRow(msg, T);
  assert.equal(executeTemplate(compileTemplate('{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.exitCode}} {{.Status}} {{.TimeNano}}'), row), `container die abc 3 die ${T}`);
  assert.equal(executeTemplate(compileTemplate('{{json .}}'), row),
    `{"status":"die","id":"abc","from":"busybox","Type":"container","Action":"die","Actor":{"ID":"abc","Attributes":{"exitCode":"3","image":"busybox","name":"web"}},"scope":"local","time":1796576400,"timeNano":${T}}`);
  assert.throws(() => executeTemplate(compileTemplate('{{.badField}}'), new EventRow({}, 0n)), /can't evaluate field badField/);
});
