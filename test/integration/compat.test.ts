import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DOCKER, eventually, isRoot, startDaemon, withBusybox, type TestDaemon } from './harness.js';

const skip = !isRoot() && 'needs root';

/** A hijacked attach: the 101 head, then everything the daemon sends until it closes. */
interface Hijack {
  status: number;
  head: string;
  sock: Socket;
  /** Bytes received after the head so far. */
  data(): Buffer;
  /** Resolves when the daemon ends the connection. */
  ended: Promise<void>;
}

function hijack(d: TestDaemon, path: string, body?: string): Promise<Hijack> {
  return new Promise((resolve, reject) => {
    const sock = connect(d.sock);
    const payload = body === undefined ? '' : body;
    let buf = Buffer.alloc(0);
    let headEnd = -1;
    let result: Hijack | undefined;
    const ended = new Promise<void>((r) => sock.once('close', () => r()));
    sock.on('error', reject);
    sock.on('data', (b: Buffer) => {
      buf = Buffer.concat([buf, b]);
      if (headEnd < 0) {
        headEnd = buf.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const head = buf.subarray(0, headEnd).toString();
        result = { status: Number(head.split(' ')[1]), head, sock, data: () => buf.subarray(headEnd + 4), ended };
        resolve(result);
      }
    });
    sock.once('close', () => { if (!result) reject(new Error(`connection closed before a response: ${buf.toString()}`)); });
    sock.write(`POST ${path} HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n`
      + (body === undefined ? '' : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n`)
      + `\r\n${payload}`);
  });
}

/** The payloads of Docker's multiplexed frames, per stream. */
function demux(b: Buffer): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  for (let i = 0; i + 8 <= b.length;) {
    const len = b.readUInt32BE(i + 4);
    const text = b.subarray(i + 8, i + 8 + len).toString();
    if (b[i] === 1) out.stdout += text;
    else if (b[i] === 2) out.stderr += text;
    i += 8 + len;
  }
  return out;
}

async function createContainer(d: TestDaemon, name: string, body: Record<string, unknown>): Promise<string> {
  const r = await d.api('POST', `/containers/create?name=${name}`, { Image: 'busybox', ...body });
  assert.equal(r.status, 201, r.body);
  return r.json().Id as string;
}

async function inspect(d: TestDaemon, id: string): Promise<any> {
  const r = await d.api('GET', `/containers/${id}/json`);
  assert.equal(r.status, 200, r.body);
  return r.json();
}

describe('compatibility with Docker clients', { skip }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
  });
  after(async () => { await d?.cleanup(); });

  test('attach ignores the request body (dockerode sends its options there): only bytes after the upgrade are stdin', async () => {
    const id = await createContainer(d, 'body', {
      Cmd: ['sh', '-c', 'read line; echo "got:$line"'], OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true,
    });
    const h = await hijack(d, `/v1.47/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1`,
      JSON.stringify({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }));
    assert.equal(h.status, 101, h.head);
    assert.equal((await d.api('POST', `/containers/${id}/start`)).status, 204);
    h.sock.write('hello\n');
    await h.ended;
    assert.equal(demux(h.data()).stdout, 'got:hello\n');
  });

  test('attach with logs=1&stream=0 on an exited container sends the output and ends', async () => {
    const id = await createContainer(d, 'logs', { Cmd: ['sh', '-c', 'echo one; echo two >&2'] });
    assert.equal((await d.api('POST', `/containers/${id}/start`)).status, 204);
    assert.equal((await d.api('POST', `/containers/${id}/wait`)).status, 200);
    const h = await hijack(d, `/containers/${id}/attach?logs=1&stream=0&stdout=1&stderr=1`);
    assert.equal(h.status, 101);
    await h.ended;
    assert.deepEqual(demux(h.data()), { stdout: 'one\n', stderr: 'two\n' });

    // Only the streams asked for; nothing at all with logs=0&stream=0.
    const out = await hijack(d, `/containers/${id}/attach?logs=1&stream=0&stdout=1`);
    await out.ended;
    assert.deepEqual(demux(out.data()), { stdout: 'one\n', stderr: '' });
    const none = await hijack(d, `/containers/${id}/attach?stdout=1`);
    await none.ended;
    assert.equal(none.data().length, 0);

    // logs=1&stream=1: the past output, then the next run's, ending when that run ends.
    const both = await hijack(d, `/containers/${id}/attach?logs=1&stream=1&stdout=1`);
    await eventually(() => both.data().length > 0);
    assert.equal((await d.api('POST', `/containers/${id}/start`)).status, 204);
    await both.ended;
    assert.equal(demux(both.data()).stdout, 'one\none\n');
  });

  test('attach with logs=1&stream=0 on a running container sends the output so far and ends', async () => {
    const id = await createContainer(d, 'runlogs', { Cmd: ['sh', '-c', 'echo ready; exec sleep 600'] });
    assert.equal((await d.api('POST', `/containers/${id}/start`)).status, 204);
    await eventually(async () => (await d.api('GET', `/containers/${id}/logs?stdout=1`)).body.includes('ready'));
    const h = await hijack(d, `/containers/${id}/attach?logs=1&stream=0&stdout=1`);
    await h.ended;
    assert.equal(demux(h.data()).stdout, 'ready\n');
    assert.equal((await inspect(d, id)).State.Running, true);
    await d.api('POST', `/containers/${id}/kill`);
  });

  test('detach keys end a TTY attach and leave the container running with its stdin', async () => {
    const id = await createContainer(d, 'tty', {
      Cmd: ['sh'], Tty: true, OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, AttachStderr: true,
    });
    const first = await hijack(d, `/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1`);
    assert.match(first.head, /Content-Type: application\/vnd\.docker\.raw-stream/);
    assert.equal((await d.api('POST', `/containers/${id}/start`)).status, 204);
    first.sock.write('echo one$((1+1))\n');
    await eventually(() => first.data().toString().includes('one2'));
    // The default sequence, ctrl-p ctrl-q, split across writes.
    first.sock.write(Buffer.from([16]));
    first.sock.write(Buffer.from([17]));
    await first.ended;
    assert.equal((await inspect(d, id)).State.Running, true, 'detach keeps the container running');

    // A named sequence; a partial match is forwarded to the container.
    const second = await hijack(d, `/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1&detachKeys=q,z`);
    second.sock.write('echo xq');
    second.sock.write('y$((2+2))\n');
    await eventually(() => second.data().toString().includes('xqy4'));
    second.sock.write('qz');
    await second.ended;
    assert.equal((await inspect(d, id)).State.Running, true);

    const bad = await d.api('POST', `/containers/${id}/attach?stream=1&stdin=1&detachKeys=ctrl-P`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json().message, 'Invalid detach keys (ctrl-P) provided');
    await d.api('POST', `/containers/${id}/kill`);
  });

  /** The docker CLI on a terminal (`script`), its output so far, and its exit code when it ends. */
  function dockerOnTty(args: string, configDir: string): { input: (b: string | Buffer) => void; out: () => string; exited: Promise<number> } {
    const child = spawn('script', ['-qfec', `${DOCKER} -H unix://${d.sock} ${args}`, '/dev/null'], { env: { ...process.env, DOCKER_CONFIG: configDir } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    const exited = new Promise<number>((r) => child.once('exit', (code) => r(code ?? -1)));
    return { input: (b) => child.stdin.write(b), out: () => out, exited };
  }

  test('the docker CLI detaches from run -it with ctrl-p ctrl-q, and from attach with config.json detachKeys', async () => {
    const run = dockerOnTty('run -it --name clitty busybox sh', `${d.dir}/docker-config`);
    await eventually(() => run.out().includes('# '), 30_000);
    run.input('echo x$((3+4))\r');
    await eventually(() => run.out().includes('x7'));
    run.input(Buffer.from([16, 17]));
    assert.equal(await run.exited, 0, run.out());
    assert.equal((await inspect(d, 'clitty')).State.Running, true);

    const keysDir = `${d.dir}/docker-config-keys`;
    mkdirSync(keysDir, { recursive: true });
    writeFileSync(`${keysDir}/config.json`, JSON.stringify({ detachKeys: 'ctrl-x,ctrl-y' }));
    const att = dockerOnTty('attach clitty', keysDir);
    att.input('echo y$((5+4))\r');
    await eventually(() => att.out().includes('y9'), 30_000);
    att.input(Buffer.from([16, 17])); // the default keys are now ordinary input
    att.input(Buffer.from([24, 25]));
    // The CLI watches the keys too and ends `docker attach` as it does against dockerd: exit 1 and this line.
    await att.exited;
    assert.match(att.out(), /read escape sequence/);
    assert.equal((await inspect(d, 'clitty')).State.Running, true);
    await d.api('DELETE', '/containers/clitty?force=1');
  });

  test('import records "Imported from <source>" unless -m is given, for a URL and for an upload', async () => {
    const root = `${d.dir}/imp-root`;
    mkdirSync(root, { recursive: true });
    writeFileSync(`${root}/hello.txt`, 'hi\n');
    const tar = spawnSync('tar', ['-cf', '-', '-C', root, '.']).stdout;
    writeFileSync(`${d.dir}/x.tar`, tar);
    const server: Server = createServer((req, res) => {
      if (req.url === '/x.tar') res.end(tar);
      else { res.statusCode = 404; res.end(); }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x.tar`;
      const comment = async (ref: string): Promise<string> => (await d.docker(['image', 'inspect', '-f', '{{.Comment}}', ref])).stdout.trim();
      assert.equal((await d.docker(['import', url, 'example/imp-url:v1'])).code, 0);
      assert.equal(await comment('example/imp-url:v1'), `Imported from ${url}`);
      assert.equal((await d.docker(['import', '-m', 'my message', url, 'example/imp-msg'])).code, 0);
      assert.equal(await comment('example/imp-msg'), 'my message');
      const file = await d.docker(['import', `${d.dir}/x.tar`, 'example/imp-file']);
      assert.equal(file.code, 0, file.stderr);
      assert.equal(await comment('example/imp-file'), 'Imported from -');
      const hist = await d.docker(['history', '--format', '{{.Comment}}', 'example/imp-url:v1']);
      assert.equal(hist.stdout.trim(), `Imported from ${url}`);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test('images REPO and the reference filter accept names with / and -, by Go path.Match', async () => {
    const tag = await d.api('POST', '/images/busybox/tag?repo=example/my-app&tag=v1.0');
    assert.equal(tag.status, 201, tag.body);
    const r = await d.docker(['images', '--format', '{{.Repository}}:{{.Tag}}', 'example/my-app']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'example/my-app:v1.0\n');
    const glob = await d.api('GET', `/images/json?filters=${encodeURIComponent(JSON.stringify({ reference: ['example/my-*:v1.?'] }))}`);
    assert.equal(glob.status, 200, glob.body);
    assert.deepEqual(glob.json().flatMap((i: any) => i.RepoTags), ['example/my-app:v1.0']);
    const v124 = await d.api('GET', '/v1.24/images/json?filter=example/my-*');
    assert.deepEqual(v124.json().flatMap((i: any) => i.RepoTags), ['example/my-app:v1.0'], 'API 1.24 names the glob in `filter`');
    const bad = await d.api('GET', `/images/json?filters=${encodeURIComponent(JSON.stringify({ reference: ['example/['] }))}`);
    assert.equal(bad.status, 400, bad.body);
    // Container name filters are regular expressions, and an invalid one matches nothing.
    const names = await d.api('GET', `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ name: ['a(-'] }))}`);
    assert.equal(names.status, 200, names.body);
    assert.deepEqual(names.json(), []);
  });

  test('image inspect serves the fields of the negotiated API version (docker-compose 1.29 reads ContainerConfig)', async () => {
    const v143 = (await d.api('GET', '/v1.43/images/busybox/json')).json();
    assert.equal(typeof v143.ContainerConfig, 'object');
    assert.equal(v143.ContainerConfig.Volumes, null);
    assert.equal(v143.Container, '');
    assert.equal(typeof v143.VirtualSize, 'number');
    const v144 = (await d.api('GET', '/v1.44/images/busybox/json')).json();
    assert.equal('VirtualSize' in v144, false);
    assert.equal('ContainerConfig' in v144, true);
    const v147 = (await d.api('GET', '/v1.47/images/busybox/json')).json();
    assert.equal('ContainerConfig' in v147, false);
    const list = (await d.api('GET', '/v1.41/images/json')).json();
    assert.ok(list.every((i: any) => i.VirtualSize === i.Size));
  });

  // HostConfig keys of dockerd 20.10 (API 1.41) for a container created with no options.
  const DOCKERD_HOSTCONFIG_KEYS = ('Binds ContainerIDFile LogConfig NetworkMode PortBindings RestartPolicy AutoRemove VolumeDriver VolumesFrom '
    + 'CapAdd CapDrop CgroupnsMode Dns DnsOptions DnsSearch ExtraHosts GroupAdd IpcMode Cgroup Links OomScoreAdj PidMode Privileged '
    + 'PublishAllPorts ReadonlyRootfs SecurityOpt UTSMode UsernsMode ShmSize Runtime ConsoleSize Isolation CpuShares Memory NanoCpus '
    + 'CgroupParent BlkioWeight BlkioWeightDevice BlkioDeviceReadBps BlkioDeviceWriteBps BlkioDeviceReadIOps BlkioDeviceWriteIOps '
    + 'CpuPeriod CpuQuota CpuRealtimePeriod CpuRealtimeRuntime CpusetCpus CpusetMems Devices DeviceCgroupRules DeviceRequests '
    + 'KernelMemory KernelMemoryTCP MemoryReservation MemorySwap MemorySwappiness OomKillDisable PidsLimit Ulimits CpuCount CpuPercent '
    + 'IOMaximumIOps IOMaximumBandwidth MaskedPaths ReadonlyPaths').split(' ');

  test('container inspect has dockerd\'s keys, exposed ports, the asked MAC address and log options', async () => {
    const defaultRuntime = (await d.api('GET', '/info')).json().DefaultRuntime as string;
    const create = await d.api('POST', '/v1.47/containers/create?name=insp', {
      Image: 'busybox', Cmd: ['sh', '-c', 'cat /sys/class/net/eth0/address; exec sleep 600'], ExposedPorts: { '3000/tcp': {} },
      HostConfig: { LogConfig: { Type: '', Config: { 'max-size': '1m' } } },
      NetworkingConfig: { EndpointsConfig: { bridge: { MacAddress: '02:42:AC:11:00:99' } } },
    });
    assert.equal(create.status, 201, create.body);
    const id = create.json().Id as string;
    const v141 = (await d.api('GET', `/v1.41/containers/${id}/json`)).json();
    assert.deepEqual(DOCKERD_HOSTCONFIG_KEYS.filter((k) => !(k in v141.HostConfig)), []);
    const created = await inspect(d, id);
    assert.deepEqual(DOCKERD_HOSTCONFIG_KEYS.filter((k) => !(k in created.HostConfig) && !k.startsWith('KernelMemory')), []);
    assert.equal(created.HostConfig.Runtime, defaultRuntime);
    assert.equal(created.HostConfig.PidMode, '');
    assert.equal(created.HostConfig.UsernsMode, '');
    assert.deepEqual(created.HostConfig.LogConfig, { Type: 'json-file', Config: { 'max-size': '1m' } });
    assert.equal(created.Config.MacAddress, '02:42:ac:11:00:99');
    assert.equal(created.Config.Volumes, null);
    assert.deepEqual(created.NetworkSettings.Ports, {}, 'no ports before the container runs');
    assert.equal((await d.api('POST', `/containers/${id}/start`)).status, 204);
    const running = await inspect(d, id);
    assert.deepEqual(running.NetworkSettings.Ports, { '3000/tcp': null });
    assert.equal(running.NetworkSettings.MacAddress, '02:42:ac:11:00:99');
    assert.equal(running.NetworkSettings.Networks.bridge.MacAddress, '02:42:ac:11:00:99');
    const rows = (await d.api('GET', '/containers/json')).json();
    assert.deepEqual(rows.find((r: any) => r.Id === id).Ports, [{ PrivatePort: 3000, Type: 'tcp' }]);
    assert.equal((await d.docker(['ps', '--format', '{{.Ports}}', '--filter', 'name=insp'])).stdout, '3000/tcp\n');
    await eventually(async () => (await d.api('GET', `/containers/${id}/logs?stdout=1`)).body.includes('02:42:ac:11:00:99'));
    const bad = await d.api('POST', '/containers/create', { Image: 'busybox', MacAddress: '02:42:zz:11:00:99' });
    assert.equal(bad.status, 400, bad.body);
    // Settings of user-defined networks are refused on the default bridge, not dropped.
    const alias = await d.api('POST', '/containers/create', { Image: 'busybox', NetworkingConfig: { EndpointsConfig: { bridge: { Aliases: ['web'] } } } });
    assert.equal(alias.status, 400, alias.body);
    assert.equal(alias.json().message, 'invalid endpoint settings:\nnetwork-scoped aliases are only supported for user-defined networks');
    const ip = await d.api('POST', '/containers/create', {
      Image: 'busybox', NetworkingConfig: { EndpointsConfig: { bridge: { IPAMConfig: { IPv4Address: '172.17.0.9' }, Aliases: ['a'] } } },
    });
    assert.equal(ip.status, 400, ip.body);
    assert.equal(ip.json().message, 'invalid endpoint settings:\n* user-specified IP address is supported on user-defined networks only\n* network-scoped aliases are only supported for user-defined networks');
    await d.api('DELETE', `/containers/${id}?force=1`);
  });

  test('every runtime /info lists runs containers (docker run --runtime)', async () => {
    const runtimes = Object.keys((await d.api('GET', '/info')).json().Runtimes as Record<string, unknown>);
    assert.ok(runtimes.length > 0);
    for (const rt of runtimes) {
      const r = await d.docker(['run', '--name', `rt-${rt}`, '--runtime', rt, 'busybox', 'echo', `on ${rt}`]);
      assert.equal(r.code, 0, `${rt}: ${r.stderr}`);
      assert.equal(r.stdout, `on ${rt}\n`);
      assert.equal((await inspect(d, `rt-${rt}`)).HostConfig.Runtime, rt);
      // A second start and a stop go to the same runtime.
      const started = await d.docker(['start', '-a', `rt-${rt}`]);
      assert.equal(started.stdout, `on ${rt}\n`, started.stderr);
      assert.equal((await d.docker(['rm', `rt-${rt}`])).code, 0);
    }
    const unknown = await d.docker(['run', '--rm', '--runtime', 'nosuch', 'busybox', 'true']);
    assert.equal(unknown.code, 125);
    assert.match(unknown.stderr, /unknown or invalid runtime name: nosuch/);
  });

  test('docker-py reads an exited container\'s output through attach(logs=True) and ContainerConfig through API 1.41', async () => {
    const id = await createContainer(d, 'dockerpy', { Cmd: ['echo', 'from docker-py'] });
    assert.equal((await d.api('POST', `/containers/${id}/start`)).status, 204);
    assert.equal((await d.api('POST', `/containers/${id}/wait`)).status, 200);
    const script = [
      'import docker, json, sys',
      `c = docker.APIClient(base_url='unix://${d.sock}', version='1.41', timeout=60)`,
      `out = c.attach('${id}', logs=True, stream=False)`,
      "img = c.inspect_image('busybox')",
      "print(json.dumps({'out': out.decode(), 'volumes': img['ContainerConfig'].get('Volumes'), 'container': img['Container']}))",
    ].join('\n');
    const r = spawnSync(pythonWithDockerPy(), ['-c', script], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { out: 'from docker-py\n', volumes: null, container: '' });
  });
});

/** The first python3 on PATH that imports docker-py, else Debian's (scripts/test.sh installs python3-docker there). */
function pythonWithDockerPy(): string {
  return spawnSync('python3', ['-c', 'import docker']).status === 0 ? 'python3' : '/usr/bin/python3';
}
