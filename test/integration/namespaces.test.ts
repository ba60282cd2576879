import assert from 'node:assert/strict';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { isRoot, startDaemon, withBusybox, type TestDaemon } from './harness.js';

describe('namespace sharing: --pid, --ipc, --uts, --cgroupns, --shm-size', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  before(async () => { d = await startDaemon(); await withBusybox(d); });
  after(async () => { await d?.cleanup(); });

  const out = async (args: string[]): Promise<string> => {
    const r = await d.docker(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const nsOf = (type: string, args: string[] = []): Promise<string> => out(['run', '--rm', ...args, 'busybox', 'readlink', `/proc/self/ns/${type}`]);

  test('--pid, --ipc and --uts host share the host\'s namespaces; by default each is the container\'s own', async () => {
    const host = (t: string): string => readlinkSync(`/proc/self/ns/${t}`);
    assert.equal(await nsOf('pid', ['--pid', 'host']), host('pid'));
    assert.notEqual(await nsOf('pid'), host('pid'));
    assert.equal(await nsOf('ipc', ['--ipc', 'host']), host('ipc'));
    assert.notEqual(await nsOf('ipc'), host('ipc'));
    assert.equal(await out(['run', '--rm', '--uts', 'host', 'busybox', 'hostname']), hostname());
    assert.equal(await out(['inspect', '-f', '{{.HostConfig.IpcMode}} {{.HostConfig.PidMode}} {{.HostConfig.UTSMode}}', await out(['create', '--ipc', 'host', '--pid', 'host', '--uts', 'host', 'busybox'])]), 'host host host');
  });

  test('--cgroupns private gives a cgroup namespace of the container\'s own', async () => {
    const host = readlinkSync('/proc/self/ns/cgroup');
    assert.notEqual(await nsOf('cgroup', ['--cgroupns', 'private']), host);
    assert.equal(await nsOf('cgroup', ['--cgroupns', 'host']), host);
  });

  test('--pid container:NAME sees the other container\'s processes; --ipc container:NAME shares a shareable donor\'s IPC and /dev/shm', async () => {
    await out(['run', '-d', '--name', 'donor', '--ipc', 'shareable', 'busybox', 'sh', '-c', 'echo shared > /dev/shm/note; exec sleep 300']);
    await out(['run', '-d', '--name', 'private', 'busybox', 'sleep', '300']);
    const donorPid = await out(['inspect', '-f', '{{.State.Pid}}', 'donor']);
    assert.equal(await nsOf('pid', ['--pid', 'container:donor']), readlinkSync(`/proc/${donorPid}/ns/pid`));
    assert.match(await out(['run', '--rm', '--pid', 'container:donor', 'busybox', 'ps', '-o', 'args']), /sleep 300/);
    assert.equal(await nsOf('ipc', ['--ipc', 'container:donor']), readlinkSync(`/proc/${donorPid}/ns/ipc`));
    assert.equal(await out(['run', '--rm', '--ipc', 'container:donor', 'busybox', 'cat', '/dev/shm/note']), 'shared');
    const refused = await d.docker(['run', '--rm', '--ipc', 'container:private', 'busybox', 'true']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /non-shareable IPC \(hint: use IpcMode:shareable for the donor container\)/);
    await out(['stop', '-t', '0', 'private']);
    const stopped = await d.docker(['run', '--rm', '--pid', 'container:private', 'busybox', 'true']);
    assert.match(stopped.stderr, /cannot join PID of a non running container/);
    await out(['rm', '-f', 'donor', 'private']);
    assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(`${d.dataRoot}/containers/`), 'the donor\'s /dev/shm is unmounted with it');
  });

  test('--ipc none has no /dev/shm; --shm-size sizes it', async () => {
    assert.equal(await out(['run', '--rm', '--ipc', 'none', 'busybox', 'sh', '-c', 'grep -c " /dev/shm " /proc/mounts || true']), '0');
    assert.match(await out(['run', '--rm', '--shm-size', '128m', 'busybox', 'df', '-k', '/dev/shm']), /\s131072\s/);
  });

  test('bad modes get Docker\'s messages', async () => {
    const bad = async (hc: object): Promise<string> => {
      const r = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: hc });
      assert.equal(r.status, 400, r.body);
      return r.json().message;
    };
    assert.equal(await bad({ IpcMode: 'bogus' }), 'invalid IPC mode: bogus');
    assert.equal(await bad({ PidMode: 'nope' }), 'invalid PID mode: nope');
    assert.equal(await bad({ UTSMode: 'container:x' }), 'invalid UTS mode: container:x');
    const r = await d.api('POST', '/containers/create', { Image: 'busybox', Hostname: 'web', HostConfig: { UTSMode: 'host' } });
    assert.equal(r.json().message, 'conflicting options: hostname and the UTS mode');
  });
});
