import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loginDomain, splitSearchTerm } from './client.js';

test('loginDomain() maps Docker Hub addresses to docker.io and keeps other hosts', () => {
  for (const s of ['', 'https://index.docker.io/v1/', 'docker.io', 'registry-1.docker.io']) assert.equal(loginDomain(s), 'docker.io');
  assert.equal(loginDomain('https://localhost:5000/v2/'), 'localhost:5000');
  assert.equal(loginDomain('reg.example'), 'reg.example');
});

test('splitSearchTerm() finds the registry a search term names', () => {
  assert.deepEqual(splitSearchTerm('busybox'), { domain: 'docker.io', query: 'busybox' });
  assert.deepEqual(splitSearchTerm('user/app'), { domain: 'docker.io', query: 'user/app' });
  assert.deepEqual(splitSearchTerm('localhost:5000/busybox'), { domain: 'localhost:5000', query: 'busybox' });
  assert.deepEqual(splitSearchTerm('reg.example/a/b'), { domain: 'reg.example', query: 'a/b' });
  assert.throws(() => splitSearchTerm('https://reg.example/x'), /should not have a scheme/);
});

test('Limiter runs at most n tasks at once and tells those that wait', async () => {
  const { Limiter } = await import('./limiter.js');
  const l = new Limiter(2);
  let running = 0;
  let peak = 0;
  let waited = 0;
  const gates: Array<() => void> = [];
  const task = (): Promise<void> => l.run(async () => {
    running++;
    peak = Math.max(peak, running);
    await new Promise<void>((r) => gates.push(r));
    running--;
  }, () => { waited++; });
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
  let done = false;
  const all = Promise.all([task(), task(), task(), task()]).then(() => { done = true; });
  while (gates.length < 2) await tick();
  assert.equal(waited, 2);
  while (!done) {
    gates.shift()?.();
    await tick();
  }
  await all;
  assert.equal(peak, 2);
});
