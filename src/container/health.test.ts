import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerRecord, HealthResult, HealthState } from './config.js';
import { nextHealth, nextInterval, probeCommand } from './health.js';

const at = (ms: number): string => new Date(Date.parse('2026-01-01T00:00:00Z') + ms).toISOString();
const result = (exitCode: number, startMs: number): HealthResult => ({ start: at(startMs), end: at(startMs + 10), exitCode, output: '' });
const opts = { retries: 3, startPeriodMs: 0, startedAt: at(0) };
const starting: HealthState = { status: 'starting', failingStreak: 0, log: [] };

test('nextHealth() is healthy on a success and clears the streak', () => {
  const h = nextHealth({ status: 'unhealthy', failingStreak: 4, log: [] }, result(0, 1000), opts);
  assert.equal(h.status, 'healthy');
  assert.equal(h.failingStreak, 0);
});

test('nextHealth() turns unhealthy after `retries` failures in a row, and keeps the last five results', () => {
  let h = starting;
  for (let i = 0; i < 2; i++) h = nextHealth(h, result(1, 1000 * (i + 1)), opts);
  assert.equal(h.status, 'starting');
  assert.equal(h.failingStreak, 2);
  h = nextHealth(h, result(1, 3000), opts);
  assert.equal(h.status, 'unhealthy');
  for (let i = 0; i < 4; i++) h = nextHealth(h, result(2, 4000 + i), opts);
  assert.equal(h.log.length, 5);
  assert.equal(h.log[0]!.start, at(3000));
});

test('nextHealth() does not count failures while starting within the start period', () => {
  const h = nextHealth(starting, result(1, 500), { ...opts, startPeriodMs: 1000 });
  assert.equal(h.failingStreak, 0);
  assert.equal(h.status, 'starting');
  const later = nextHealth(h, result(1, 1500), { ...opts, startPeriodMs: 1000 });
  assert.equal(later.failingStreak, 1);
});

test('nextInterval() uses the start interval while starting in the start period, never past its end', () => {
  const t = { intervalMs: 30_000, timeoutMs: 1000, startPeriodMs: 60_000, startIntervalMs: 5000, retries: 3 };
  assert.equal(nextInterval(t, starting, 0), 5000);
  assert.equal(nextInterval(t, { ...starting, status: 'healthy' }, 0), 30_000);
  assert.equal(nextInterval(t, starting, 50_000), 10_000);
  assert.equal(nextInterval(t, starting, 70_000), 30_000);
});

test('probeCommand() reads CMD, CMD-SHELL (with the container\'s shell) and NONE', () => {
  const rec = (Healthcheck: unknown, Shell?: string[]): ContainerRecord => ({ config: { Healthcheck, ...(Shell ? { Shell } : {}) } }) as unknown as ContainerRecord;
  assert.deepEqual(probeCommand(rec({ Test: ['CMD', 'curl', '-f', 'x'] })), ['curl', '-f', 'x']);
  assert.deepEqual(probeCommand(rec({ Test: ['CMD-SHELL', 'exit 1'] })), ['/bin/sh', '-c', 'exit 1']);
  assert.deepEqual(probeCommand(rec({ Test: ['CMD-SHELL', 'exit 1'] }, ['/bin/bash', '-c'])), ['/bin/bash', '-c', 'exit 1']);
  assert.equal(probeCommand(rec({ Test: ['NONE'] })), undefined);
  assert.equal(probeCommand(rec(undefined)), undefined);
  assert.equal(probeCommand(rec({ Test: ['BOGUS', 'x'] })), undefined);
});
