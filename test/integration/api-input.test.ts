// The reported wrongly typed bodies, through a real berthd and the real docker CLI: each is
// refused with dockerd's wording and leaves nothing on disk that could break `docker ps -a`.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isRoot, startDaemon, withBusybox, type TestDaemon } from './harness.js';

const skip = !isRoot() && 'needs root';

describe('API input checks', { skip }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
  });
  after(async () => { await d?.cleanup(); });

  const containerDirs = (): string[] => {
    const dir = join(d.dataRoot, 'containers');
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  test('wrongly typed or out-of-range create bodies are refused with 400 and store nothing', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ HostConfig: { Privileged: 'false' } }, /^invalid JSON: json: cannot unmarshal string into Go struct field HostConfig\.HostConfig\.Privileged of type bool$/],
      [{ Env: 'A=1' }, /CreateRequest\.Env of type \[\]string/],
      [{ Labels: ['a'] }, /CreateRequest\.Labels of type map\[string\]string/],
      [{ Labels: { a: 1 } }, /cannot unmarshal number into Go struct field CreateRequest\.Labels of type string/],
      [{ HostConfig: { Memory: '1g' } }, /HostConfig\.HostConfig\.Memory of type int64/],
      [{ HostConfig: { Memory: '64m' } }, /HostConfig\.HostConfig\.Memory of type int64/],
      [{ HostConfig: { Memory: -1 } }, /^Minimum memory limit allowed is 6MB$/],
      [{ HostConfig: { Memory: 1e30 } }, /cannot unmarshal number 1e\+30 into Go struct field HostConfig\.HostConfig\.Memory of type int64/],
      [{ HostConfig: { CapAdd: ['CAP_BOGUS'] } }, /^invalid CapAdd: unknown capability: "CAP_BOGUS"$/],
      [{ StopSignal: 'SIGBOGUS' }, /^invalid signal: SIGBOGUS$/],
      [{ HostConfig: { ShmSize: -1 } }, /^SHM size can not be less than 0$/],
      [{ HostConfig: { OomScoreAdj: 5000 } }, /^Invalid value 5000, range for oom score adj is \[-1000, 1000\]$/],
      [{ HostConfig: { ExtraHosts: ['bad'] } }, /^bad format for add-host: "bad"$/],
      [{ HostConfig: { ExtraHosts: 'bad' } }, /HostConfig\.HostConfig\.ExtraHosts of type \[\]string/],
      [{ Tty: 'yes' }, /CreateRequest\.Tty of type bool/],
      [{ WorkingDir: 5 }, /CreateRequest\.WorkingDir of type string/],
      [{ WorkingDir: 'rel' }, /^the working directory 'rel' is invalid, it needs to be an absolute path$/],
      [{ Env: ['A=\u0000b'] }, /^invalid Env: NUL bytes are not allowed$/],
      [{ Cmd: ['echo', 'a\u0000b'] }, /^invalid Cmd: NUL bytes are not allowed$/],
    ];
    for (const [extra, message] of cases) {
      const body = { Image: 'busybox', Cmd: ['true'], ...extra, HostConfig: { ...(extra.HostConfig as object | undefined) } };
      const r = await d.api('POST', '/containers/create', body);
      assert.equal(r.status, 400, `${JSON.stringify(extra)}: ${r.body}`);
      assert.match(r.json().message, message, JSON.stringify(extra));
    }
    assert.deepEqual(containerDirs(), []);
    const ps = await d.docker(['ps', '-a', '--format', '{{.ID}}']);
    assert.equal(ps.code, 0, ps.stderr);
    assert.equal(ps.stdout, '');
  });

  test('the docker CLI sees dockerd\'s answers for swarm leave and uppercase names', async () => {
    const leave = await d.docker(['swarm', 'leave', '--force']);
    assert.equal(leave.code, 1);
    assert.match(leave.stderr, /This node is not part of a swarm/);
    const ls = await d.docker(['node', 'ls']);
    assert.equal(ls.code, 1);
    assert.match(ls.stderr, /This node is not a swarm manager\. Use "docker swarm init" or "docker swarm join"/);
    const tag = await d.docker(['tag', 'busybox', 'UPPER/x']);
    assert.equal(tag.code, 1);
    assert.match(tag.stderr, /repository name \(UPPER\/x\) must be lowercase/);
    assert.doesNotMatch((await d.docker(['images', '--format', '{{.Repository}}'])).stdout, /UPPER/);
  });
});
