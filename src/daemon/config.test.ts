import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test('loadConfig() takes Docker-style flags, repeatable -H and defaults', async () => {
  const r = await loadConfig(['-H', 'unix:///tmp/a.sock', '--host=tcp://127.0.0.1:2375', '--data-root', '/x', '--config-file', file('empty.json', '{}')]);
  assert.equal(r.kind, 'run');
  if (r.kind !== 'run') return;
  assert.deepEqual(r.config.hosts, ['unix:///tmp/a.sock', 'tcp://127.0.0.1:2375']);
  assert.equal(r.config.dataRoot, '/x');
  assert.equal(r.config.execRoot, '/run/berth');
  assert.equal(r.config.logLevel, 'info');
});

test('loadConfig() reads daemon.json keys and refuses unknown ones with dockerd\'s wording', async () => {
  const ok = await loadConfig(['--config-file', file('ok.json', '{"data-root":"/srv/berth","log-level":"warn","debug":false,"log-driver":"json-file"}')]);
  assert.ok(ok.kind === 'run' && ok.config.dataRoot === '/srv/berth' && ok.config.logLevel === 'warn');
  assert.ok(ok.kind === 'run' && ok.config.ignoredKeys.includes('log-driver'));
  await assert.rejects(loadConfig(['--config-file', file('bad.json', '{"data-rot":"/x"}')]), /the following directives don't match any configuration option: data-rot/);
  await assert.rejects(loadConfig(['--config-file', file('broken.json', '{"data-root":')]), /unable to configure the daemon with file/);
});

test('loadConfig() refuses a key given both as flag and in the file', async () => {
  await assert.rejects(loadConfig(['--data-root', '/a', '--config-file', file('both.json', '{"data-root":"/b"}')]),
    /the following directives are specified both as a flag and in the configuration file: data-root/);
});

test('loadConfig() refuses plain TCP off loopback, bad levels and unknown runtimes', async () => {
  const cfg = file('e.json', '{}');
  await assert.rejects(loadConfig(['-H', 'tcp://0.0.0.0:2375', '--config-file', cfg]), /loopback only/);
  await assert.rejects(loadConfig(['-l', 'loud', '--config-file', cfg]), /unable to parse logging level: loud/);
  await assert.rejects(loadConfig(['--default-runtime', 'kata', '--config-file', cfg]), /invalid default runtime "kata"/);
  await assert.rejects(loadConfig(['--bogus', '--config-file', cfg]), /unknown flag: --bogus/);
});

test('loadConfig() takes --cleanup, off by default', async () => {
  const cfg = file('c.json', '{}');
  const plain = await loadConfig(['--config-file', cfg]);
  assert.ok(plain.kind === 'run' && plain.config.cleanup === false);
  const cleanup = await loadConfig(['--cleanup', '--config-file', cfg]);
  assert.ok(cleanup.kind === 'run' && cleanup.config.cleanup === true);
});

test('loadConfig() reads the bridge options from daemon.json and flags, -b none included', async () => {
  const r = await loadConfig(['--config-file', file('bridge.json', JSON.stringify({
    'fixed-cidr': '10.7.1.0/24', 'ip-forward': false, 'ip-masq': false, 'default-address-pools': [{ base: '10.60.0.0/16', size: 24 }], bip: '10.7.0.1/16',
  }))]);
  assert.equal(r.kind, 'run');
  if (r.kind !== 'run') return;
  assert.equal(r.config.bridgeOptions.fixedCidr, '10.7.1.0/24');
  assert.equal(r.config.bridgeOptions.ipForward, false);
  assert.equal(r.config.bridgeOptions.ipMasq, false);
  assert.deepEqual(r.config.bridgeOptions.defaultAddressPools, [{ base: '10.60.0.0/16', size: 24 }]);
  assert.deepEqual(r.config.ignoredKeys, []);
  const none = await loadConfig(['-b', 'none', '--iptables=false', '--config-file', file('empty2.json', '{}')]);
  assert.ok(none.kind === 'run' && none.config.bridge === 'none' && !none.config.bridgeOptions.iptables && !none.config.bridgeOptions.ipMasq);
  await assert.rejects(loadConfig(['-b', 'none', '--bip', '10.1.0.1/24', '--config-file', file('empty3.json', '{}')]), /You specified -b & --bip, mutually exclusive options/);
  await assert.rejects(loadConfig(['--iptables=false', '--config-file', file('ipt.json', '{"iptables": true}')]), /specified both as a flag and in the configuration file: iptables/);
});

test('loadConfig() takes --experimental or daemon.json\'s "experimental", refuses both at once and a non-boolean', async () => {
  const off = await loadConfig(['--config-file', file('none.json', '{}')]);
  assert.ok(off.kind === 'run' && off.config.experimental === false);
  const flag = await loadConfig(['--experimental', '--config-file', file('none2.json', '{}')]);
  assert.ok(flag.kind === 'run' && flag.config.experimental === true);
  const fromFile = await loadConfig(['--config-file', file('exp.json', '{"experimental":true}')]);
  assert.ok(fromFile.kind === 'run' && fromFile.config.experimental === true && !fromFile.config.ignoredKeys.includes('experimental'));
  await assert.rejects(loadConfig(['--experimental', '--config-file', file('exp2.json', '{"experimental":true}')]), /specified both as a flag and in the configuration file: experimental/);
  await assert.rejects(loadConfig(['--config-file', file('exp3.json', '{"experimental":"yes"}')]), /experimental must be a boolean/);
});
