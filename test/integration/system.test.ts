import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isRoot, startDaemon, type TestDaemon } from './harness.js';

describe('the Engine API edge', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  before(async () => { d = await startDaemon(); });
  after(async () => { await d?.cleanup(); });

  test('/_ping answers GET and HEAD with Docker\'s headers', async () => {
    for (const method of ['GET', 'HEAD']) {
      const r = await d.api(method, '/_ping');
      assert.equal(r.status, 200);
      assert.equal(r.body, method === 'GET' ? 'OK' : '');
      assert.equal(r.headers['api-version'], '1.47');
      assert.equal(r.headers['ostype'], 'linux');
      assert.equal(r.headers['docker-experimental'], 'false');
      assert.equal(r.headers['cache-control'], 'no-cache, no-store, must-revalidate');
    }
  });

  test('versioned paths are served within range and refused outside it', async () => {
    assert.equal((await d.api('GET', '/v1.24/version')).status, 200);
    const v = (await d.api('GET', '/v1.47/version')).json();
    assert.equal(v.ApiVersion, '1.47');
    assert.equal(v.MinAPIVersion, '1.24');
    const tooNew = await d.api('GET', '/v1.99/version');
    assert.equal(tooNew.status, 400);
    assert.equal(tooNew.json().message, 'client version 1.99 is too new. Maximum supported API version is 1.47');
    const tooOld = await d.api('GET', '/v1.12/version');
    assert.equal(tooOld.status, 400);
    assert.match(tooOld.json().message, /client version 1\.12 is too old/);
  });

  test('errors have Docker\'s JSON shape and status codes', async () => {
    const unknown = await d.api('GET', '/v1.47/nowhere');
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json(), { message: 'page not found' });
    const missing = await d.api('GET', '/containers/nosuch/json');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json(), { message: 'No such container: nosuch' });
    const image = await d.api('GET', '/images/nosuch:1/json');
    assert.equal(image.status, 404);
    assert.deepEqual(image.json(), { message: 'No such image: nosuch:1' });
    const badJson = await d.api('POST', '/containers/create', '{"Image": ');
    assert.equal(badJson.status, 400);
    const badFilter = await d.api('GET', '/containers/json?filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D');
    assert.equal(badFilter.status, 400);
    assert.equal(badFilter.json().message, "invalid filter 'bogus'");
    assert.equal((await d.api('GET', '/_ping')).status, 200, 'the daemon keeps serving');
  });

  test('the docker CLI negotiates and reads version and info', async () => {
    const v = await d.docker(['version', '--format', '{{.Server.APIVersion}} {{.Client.APIVersion}}']);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), '1.47 1.47');
    const info = await d.docker(['info', '--format', '{{.DefaultRuntime}} {{.Driver}} {{.DockerRootDir}}']);
    assert.match(info.stdout.trim(), new RegExp(`^(runc|crun) overlay2 ${d.dataRoot}$`));
    const berth = await d.berth(['info', '--format', '{{json .Runtimes}}']);
    assert.match(berth.stdout, /"runc"/);
  });

  test('without --experimental, as dockerd: reported off, checkpoint routes 501, start --checkpoint refused, the docker CLI hides checkpoint', async () => {
    assert.equal((await d.api('GET', '/info')).json().ExperimentalBuild, false);
    assert.equal((await d.api('GET', '/version')).json().Experimental, false);
    const ls = await d.api('GET', '/containers/none/checkpoints');
    assert.equal(ls.status, 501);
    assert.equal(ls.json().message, 'This experimental feature is disabled by default. Start the Docker daemon in experimental mode in order to enable it.');
    assert.equal((await d.api('POST', '/containers/none/checkpoints', { CheckpointID: 'c1' })).status, 501);
    assert.equal((await d.api('DELETE', '/containers/none/checkpoints/c1')).status, 501);
    const start = await d.api('POST', '/containers/none/start?checkpoint=c1');
    assert.equal(start.status, 400);
    assert.equal(start.json().message, 'checkpoint is only supported in experimental mode');
    const cli = await d.docker(['checkpoint', 'ls', 'none']);
    assert.notEqual(cli.code, 0);
    assert.doesNotMatch(cli.stdout + cli.stderr, /CHECKPOINT NAME/);
  });
});

describe('both OCI runtimes run containers', { skip: !isRoot() && 'needs root' }, () => {
  for (const runtime of ['runc', 'crun']) {
    test(`--default-runtime ${runtime}`, async () => {
      const d = await startDaemon({ args: ['--default-runtime', runtime] });
      try {
        const { withBusybox } = await import('./harness.js');
        await withBusybox(d);
        const info = await d.docker(['info', '--format', '{{.DefaultRuntime}}']);
        assert.equal(info.stdout.trim(), runtime);
        const r = await d.berth(['run', '--rm', 'busybox', 'sh', '-c', 'echo $((6*7))']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, '42\n');
      } finally {
        await d.cleanup();
      }
    });
  }
});
