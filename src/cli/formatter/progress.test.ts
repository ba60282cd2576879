import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { JSONMessage } from '../../api/types/index.js';
import { displayJsonMessages, progressString, StreamError } from './progress.js';

async function* from(msgs: JSONMessage[]): AsyncGenerator<JSONMessage> {
  yield* msgs;
}

async function render(msgs: JSONMessage[], isTerminal: boolean, onAux?: (m: JSONMessage) => void): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  await displayJsonMessages(from(msgs), out, { isTerminal, width: 120, onAux });
  return text;
}

const PULL: JSONMessage[] = [
  { status: 'Pulling from library/busybox', id: 'latest' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'a3ed95caeb02' },
  { status: 'Downloading', progressDetail: { current: 500, total: 1000 }, progress: '[==>  ]', id: 'a3ed95caeb02' },
  { status: 'Download complete', progressDetail: {}, id: 'a3ed95caeb02' },
  { status: 'Digest: sha256:abc' },
  { status: 'Status: Downloaded newer image for busybox:latest' },
];

test('without a terminal, progress lines are dropped and every status is a line', async () => {
  assert.equal(await render(PULL, false), [
    'latest: Pulling from library/busybox',
    'a3ed95caeb02: Pulling fs layer',
    'a3ed95caeb02: Download complete',
    'Digest: sha256:abc',
    'Status: Downloaded newer image for busybox:latest',
    '',
  ].join('\n'));
});

test('on a terminal, lines with an id are redrawn in place', async () => {
  const text = await render(PULL.slice(0, 4), true);
  assert.match(text, /\x1b\[1A\x1b\[2K\ra3ed95caeb02: Downloading \[=========================>                         \]     500B\/1kB\r\x1b\[1B/);
});

test('load output and aux messages', async () => {
  const aux: JSONMessage[] = [];
  assert.equal(await render([{ stream: 'Loaded image: busybox:latest\n' }, { aux: { ID: 'sha256:x' } }], false, (m) => aux.push(m)), 'Loaded image: busybox:latest\n');
  assert.equal(aux.length, 1);
});

test('an errorDetail ends the display with its message', async () => {
  await assert.rejects(render([{ status: 'x' }, { errorDetail: { message: 'pull access denied' }, error: 'pull access denied' }], false), (e: unknown) => e instanceof StreamError && e.message === 'pull access denied');
});

test('progressString() is docker\'s bar, sizes and counts', () => {
  assert.equal(progressString({ current: 0, total: 0 }, 200), '');
  assert.equal(progressString({ current: 1500 }, 200), '   1.5kB');
  assert.equal(progressString({ current: 500, total: 1000 }, 80), '    500B/1kB');
  assert.equal(progressString({ current: 2, total: 4, units: 'items' }, 80), '2/4 items');
});
