import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerRecord } from './config.js';
import { commandLine, mergeEnv, mergeImageConfig, normalizeConfig, normalizeHostConfig, validateHostConfig } from './declaration.js';
import { nextRestartDelay, shouldRestart } from './restart-policy.js';

test('mergeImageConfig() fills gaps from the image as dockerd does', () => {
  const c = mergeImageConfig(normalizeConfig({ Image: 'x', Env: ['B=2', 'A=9'] }), { Env: ['A=1', 'PATH=/bin'], Cmd: ['sh'], WorkingDir: '/w', Labels: { a: '1' } });
  assert.deepEqual(c.Env, ['A=9', 'PATH=/bin', 'B=2']);
  assert.deepEqual(c.Cmd, ['sh']);
  assert.equal(c.WorkingDir, '/w');
  const withEntrypoint = mergeImageConfig(normalizeConfig({ Image: 'x', Entrypoint: ['echo'] }), { Cmd: ['sh'], Entrypoint: ['/init'] });
  assert.deepEqual(withEntrypoint.Entrypoint, ['echo']);
  assert.equal(withEntrypoint.Cmd, null, "an entrypoint given at create drops the image's CMD");
  assert.deepEqual(commandLine(withEntrypoint), { path: 'echo', args: [] });
  assert.throws(() => commandLine(normalizeConfig({ Image: 'x' })), /no command specified/);
  assert.deepEqual(mergeEnv(['A=1'], ['A=2', 'C']), ['A=2', 'C']);
});

test('validateHostConfig() refuses what dockerd refuses, in its words', () => {
  const h = (over: object) => normalizeHostConfig(over);
  assert.throws(() => validateHostConfig(h({ Memory: 1024 })), /Minimum memory limit allowed is 6MB/);
  assert.throws(() => validateHostConfig(h({ Memory: 64 << 20, MemorySwap: 32 << 20 })), /Minimum memoryswap limit should be larger than memory limit/);
  assert.throws(() => validateHostConfig(h({ AutoRemove: true, RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } })), /can't create 'AutoRemove' container with restart policy/);
  assert.throws(() => validateHostConfig(h({ RestartPolicy: { Name: 'sometimes', MaximumRetryCount: 0 } })), /invalid restart policy/);
  assert.throws(() => validateHostConfig(h({ RestartPolicy: { Name: 'always', MaximumRetryCount: 3 } })), /maximum retry count can only be used with 'on-failure'/);
  validateHostConfig(h({ Memory: 64 << 20, MemorySwap: -1 }));
});

test('shouldRestart() follows each policy and the back-off doubles then resets', () => {
  const rec = (name: string, extra: Partial<ContainerRecord> = {}) => ({
    hostConfig: normalizeHostConfig({ RestartPolicy: { Name: name as 'always', MaximumRetryCount: name === 'on-failure' ? 2 : 0 } }),
    manuallyStopped: false, restartCount: 0, ...extra,
  }) as ContainerRecord;
  assert.equal(shouldRestart(rec('no'), { exitCode: 1 }), false);
  assert.equal(shouldRestart(rec('always'), { exitCode: 0 }), true);
  assert.equal(shouldRestart(rec('always', { manuallyStopped: true }), { exitCode: 0 }), false);
  assert.equal(shouldRestart(rec('unless-stopped'), { exitCode: 0, daemonStarting: true }), true);
  assert.equal(shouldRestart(rec('on-failure'), { exitCode: 0 }), false);
  assert.equal(shouldRestart(rec('on-failure'), { exitCode: 3 }), true);
  assert.equal(shouldRestart(rec('on-failure', { restartCount: 2 }), { exitCode: 3 }), false);
  assert.equal(nextRestartDelay(0, 0), 100);
  assert.equal(nextRestartDelay(100, 50), 200);
  assert.equal(nextRestartDelay(6400, 20_000), 100);
});

test('refuseUnsupported() refuses features berth lacks yet and accepts the empty values clients send', async () => {
  const { refuseUnsupported } = await import('./declaration.js');
  const h = (over: object) => normalizeHostConfig(over);
  refuseUnsupported(h({ PortBindings: {}, Binds: null, Mounts: [], Devices: [], Links: null }), { runtimes: ['runc'] });
  assert.throws(() => refuseUnsupported(h({ UsernsMode: 'host' }), { runtimes: ['runc'] }), /does not support user namespaces/);
  refuseUnsupported(h({ Binds: ['/a:/b'], Mounts: [{ Type: 'volume', Target: '/v' }], Tmpfs: { '/t': '' }, VolumesFrom: ['c'] }), { runtimes: ['runc'] });
  refuseUnsupported(h({ PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }, PublishAllPorts: true, Links: ['a:b'] }), { runtimes: ['runc'] });
  assert.throws(() => refuseUnsupported(h({ Runtime: 'kata' }), { runtimes: ['runc'] }), /unknown or invalid runtime name: kata/);
  assert.throws(() => refuseUnsupported(h({ LogConfig: { Type: 'syslog', Config: {} } }), { runtimes: ['runc'] }), /no log driver named 'syslog'/);
});
