import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerRecord } from './config.js';
import { normalizeHostConfig } from './declaration.js';
import { nextRestartDelay, shouldRestart } from './restart-policy.js';

const rec = (name: string, extra: Partial<ContainerRecord> = {}): ContainerRecord => ({
  hostConfig: normalizeHostConfig({ RestartPolicy: { Name: name as 'always', MaximumRetryCount: 0 } }),
  manuallyStopped: false, restartCount: 0, ...extra,
}) as ContainerRecord;

test('a stopped "always" container stays stopped until the daemon restarts; "unless-stopped" stays stopped then too', () => {
  assert.equal(shouldRestart(rec('always', { manuallyStopped: true }), { exitCode: 143 }), false);
  assert.equal(shouldRestart(rec('always', { manuallyStopped: true }), { exitCode: 143, daemonStarting: true }), true);
  assert.equal(shouldRestart(rec('unless-stopped', { manuallyStopped: true }), { exitCode: 143 }), false);
  assert.equal(shouldRestart(rec('unless-stopped', { manuallyStopped: true }), { exitCode: 143, daemonStarting: true }), false);
  assert.equal(shouldRestart(rec('unless-stopped'), { exitCode: 0 }), true);
});

test('the back-off is 100 ms doubling up to a minute, and starts again after 10 s up', () => {
  const seq: number[] = [];
  let d = 0;
  for (let i = 0; i < 12; i++) seq.push(d = nextRestartDelay(d, 50));
  assert.deepEqual(seq, [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]);
  assert.equal(nextRestartDelay(51200, 10_000), 100);
});
