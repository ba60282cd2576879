import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { forwardingShieldAt, installForwardingShield } from './forwarding-shield.js';
import { Netavark } from './netavark.js';
import { RecordingHost } from './recording-host.js';

test('installForwardingShield() writes a file that reads "1" and an aardvark wrapper that enters the daemon\'s mount namespace', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-shield-'));
  try {
    const shield = forwardingShieldAt(join(dir, 'shield'));
    await installForwardingShield(shield, { aardvark: "/opt/it's/aardvark-dns", daemonPid: 4242 });
    assert.equal(await readFile(shield.file, 'utf8'), '1\n');
    const wrapper = await readFile(shield.aardvark, 'utf8');
    assert.match(wrapper, /^#!\/bin\/sh\n/);
    assert.ok(wrapper.includes(`exec nsenter --mount=/proc/4242/ns/mnt -- '/opt/it'\\''s/aardvark-dns' "$@"`), wrapper);
    assert.equal((await stat(shield.aardvark)).mode & 0o777, 0o755);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a shielded netavark runs in a new slave mount namespace, with the wrapper as its aardvark-dns', async () => {
  const host = new RecordingHost();
  const shield = forwardingShieldAt('/data/networks/forwarding-shield');
  const nv = new Netavark(host, { binary: '/usr/lib/podman/netavark', configDir: '/run/x/netavark', aardvarkBinary: '/usr/lib/podman/aardvark-dns', forwardingShield: shield });
  await nv.teardown('/run/netns/c1', { container_id: 'c1', container_name: 'c1', networks: {}, network_info: {} });
  const argv = host.calls[0]!.args.slice(0, -1) as string[];
  assert.deepEqual(argv.slice(0, 6), ['unshare', '--mount', '--propagation', 'slave', '--', 'sh']);
  assert.match(argv[7]!, /mount --bind "\$f" "\$s"/);
  assert.deepEqual(argv.slice(8), ['berth-forwarding-shield', shield.file, '/usr/lib/podman/netavark',
    '--aardvark-binary', shield.aardvark, '--config', '/run/x/netavark', 'teardown', '/run/netns/c1']);
});

test('an unshielded netavark is run directly', async () => {
  const host = new RecordingHost();
  const nv = new Netavark(host, { binary: '/usr/lib/podman/netavark', configDir: '/run/x/netavark', aardvarkBinary: '/a' });
  await nv.teardown('/run/netns/c1', { container_id: 'c1', container_name: 'c1', networks: {}, network_info: {} });
  assert.deepEqual(host.calls[0]!.args.slice(0, -1), ['/usr/lib/podman/netavark', '--aardvark-binary', '/a', '--config', '/run/x/netavark', 'teardown', '/run/netns/c1']);
});
