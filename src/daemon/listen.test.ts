import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { test } from 'node:test';
import { isLoopback, validateHost } from './config.js';
import { listenOn, type Resolver } from './listen.js';

const fake = (table: Record<string, string[]>): Resolver => async (h) => {
  const a = table[h];
  if (!a) throw new Error(`getaddrinfo ENOTFOUND ${h}`);
  return a;
};

test('validateHost() judges addresses and leaves names to resolution', () => {
  assert.throws(() => validateHost('tcp://0.0.0.0:2375'), /loopback only/);
  assert.throws(() => validateHost('tcp://[::]:2375'), /loopback only/);
  assert.throws(() => validateHost('tcp://:2375'), /loopback only/);
  assert.throws(() => validateHost('tcp://127.0.0.1:99999'), /invalid host/);
  validateHost('tcp://127.0.0.2:2375');
  validateHost('tcp://[::1]:2375');
  validateHost('tcp://127.evil.example:2375');
});

test('isLoopback() knows 127/8, ::1 and IPv4-mapped loopback, and nothing else', () => {
  for (const a of ['127.0.0.1', '127.255.0.9', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) assert.ok(isLoopback(a), a);
  for (const a of ['128.0.0.1', '0.0.0.0', '::', '::ffff:10.0.0.1', '10.127.0.1', 'localhost']) assert.ok(!isLoopback(a), a);
});

test('listenOn() resolves a TCP name and refuses it unless every address is loopback', async () => {
  const servers: Server[] = [];
  const make = (): Server => { const s = createServer(); servers.push(s); return s; };
  const resolve = fake({ '127.evil.example': ['127.0.0.1', '203.0.113.5'], 'evil.example': ['203.0.113.5'], 'lo.example': ['::1', '127.0.0.1'] });
  await assert.rejects(listenOn(make, 'tcp://127.evil.example:0', { resolve }), /127\.evil\.example resolves to 203\.0\.113\.5, not loopback/);
  await assert.rejects(listenOn(make, 'tcp://evil.example:0', { resolve }), /not loopback/);
  await assert.rejects(listenOn(make, 'tcp://nowhere.example:0', { resolve }), /does not resolve/);
  assert.equal(servers.length, 0, 'nothing listens before the check');
  await listenOn(make, 'tcp://lo.example:0', { resolve });
  try {
    assert.equal(servers.length, 1);
    assert.equal((servers[0]!.address() as { address: string }).address, '127.0.0.1');
  } finally {
    for (const s of servers) s.close();
  }
});
