import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspectRefs } from './inspect.js';

const objects: Record<string, string> = {
  a: '{"Id":"a1","Name":"/a","State":{"Status":"running"}}',
  b: '{"Id":"b2","Name":"/b","State":{"Status":"exited"}}',
};
const get = async (ref: string) => {
  const raw = objects[ref];
  if (!raw) throw new Error(`Error: No such object: ${ref}`);
  return { raw, value: JSON.parse(raw) as unknown };
};

test('inspect prints an indented JSON array of the daemon\'s objects', async () => {
  const r = await inspectRefs(['a', 'b'], '', get);
  assert.equal(r.output, '[\n    {\n        "Id": "a1",\n        "Name": "/a",\n        "State": {\n            "Status": "running"\n        }\n    },\n    {\n        "Id": "b2",\n        "Name": "/b",\n        "State": {\n            "Status": "exited"\n        }\n    }\n]\n');
  assert.equal(r.exitCode, 0);
});

test('inspect --format json is compact; a template prints one line per object', async () => {
  assert.equal((await inspectRefs(['a'], 'json', get)).output, '[{"Id":"a1","Name":"/a","State":{"Status":"running"}}]\n');
  assert.equal((await inspectRefs(['a', 'b'], '{{.Name}} {{.State.Status}}', get)).output, '/a running\n/b exited\n');
});

test('inspect of a missing object prints [] and fails with the error text', async () => {
  const r = await inspectRefs(['nope'], '', get);
  assert.deepEqual(r, { output: '[]\n', errors: ['Error: No such object: nope'], exitCode: 1 });
  const t = await inspectRefs(['a', 'nope'], '{{.Name}}', get);
  assert.deepEqual(t, { output: '/a\n', errors: ['Error: No such object: nope'], exitCode: 1 });
});

test('a template that does not parse exits 64 before fetching anything', async () => {
  const r = await inspectRefs(['a'], '{{.Name', get);
  assert.equal(r.exitCode, 64);
  assert.match(r.errors[0]!, /^template parsing error: template: :1: unclosed action/);
});
