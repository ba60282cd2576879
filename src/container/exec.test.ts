import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerRecord, ContainerStatus } from './config.js';
import { checkExecutable } from './exec.js';

const rec = (status: ContainerStatus): ContainerRecord => ({ id: 'c0ffee', state: { status } }) as unknown as ContainerRecord;

test('checkExecutable() refuses a paused, restarting or stopped container in dockerd\'s words', () => {
  assert.doesNotThrow(() => checkExecutable(rec('running')));
  assert.throws(() => checkExecutable(rec('paused')), (e: Error & { kind?: string }) => e.kind === 'conflict' && e.message === 'Container c0ffee is paused, unpause the container before exec');
  assert.throws(() => checkExecutable(rec('restarting')), /Container c0ffee is restarting, wait until the container is running/);
  for (const s of ['exited', 'created'] as const) assert.throws(() => checkExecutable(rec(s)), (e: Error) => /^Container c0ffee is not running$/.test(e.message));
});
