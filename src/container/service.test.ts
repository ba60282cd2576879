import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { silentLogger, type EngineEvent } from '../base/index.js';
import type { RuntimeSpec } from '../oci/index.js';
import type { RestartPolicy } from './config.js';
import type { AttachStreams, ContainerRuntime, NetworkAttacher, RootfsProvider } from './ports.js';
import { ContainerService } from './service.js';
import { ContainerStore } from './store.js';

/** conmon + runc as the service sees them: a process per started container that exits on TERM or KILL. */
class FakeRuntime implements ContainerRuntime {
  readonly name = 'runc';
  readonly names = ['runc'];
  readonly calls: string[] = [];
  private readonly alive = new Set<string>();
  private readonly exits = new Map<string, { exitCode: number; finishedAt: Date }>();
  private onExit: ((id: string) => void) | undefined;
  /** While set, create() waits for it: a start caught between `runc create` and `runc start`. */
  createGate: Promise<void> | undefined;

  async create(opts: { id: string }): Promise<{ pid: number }> {
    this.calls.push('create');
    if (this.createGate) await this.createGate;
    this.exits.delete(opts.id);
    return { pid: 4242 };
  }
  async start(id: string): Promise<void> { this.calls.push('start'); this.alive.add(id); }
  async kill(id: string, signal: string): Promise<void> {
    this.calls.push(`kill ${signal}`);
    if (this.alive.has(id) && (signal === 'SIGKILL' || signal === 'SIGTERM')) this.exit(id, signal === 'SIGKILL' ? 137 : 143);
  }
  /** The process ends by itself (or by a signal): conmon writes the exit file. */
  exit(id: string, exitCode: number): void {
    this.alive.delete(id);
    this.exits.set(id, { exitCode, finishedAt: new Date() });
    queueMicrotask(() => this.onExit?.(id));
  }
  async delete(): Promise<void> { this.calls.push('delete'); }
  async exitStatus(id: string): Promise<{ exitCode: number; finishedAt: Date } | undefined> { return this.exits.get(id); }
  watchExits(onExit: (id: string) => void): () => void { this.onExit = onExit; return () => { this.onExit = undefined; }; }
  async isAlive(id: string): Promise<boolean> { return this.alive.has(id); }
  async state(id: string): Promise<{ status: 'running'; pid: number } | undefined> { return this.alive.has(id) ? { status: 'running', pid: 4242 } : undefined; }
  async attach(): Promise<AttachStreams> { return { stdout: new PassThrough(), stderr: new PassThrough(), close() {} }; }
  async resize(): Promise<void> {}
  async exec(): Promise<never> { throw new Error('not in these tests'); }
  async pause(): Promise<void> {}
  async checkpoint(): Promise<void> {}
  async resume(): Promise<void> {}
  async update(): Promise<void> {}
  async stats(): Promise<never> { throw new Error('not in these tests'); }
  async processes(): Promise<[]> { return []; }
  count(call: string): number { return this.calls.filter((c) => c === call).length; }
}

class FakeRootfs implements RootfsProvider {
  readonly removed: string[] = [];
  async create(): Promise<void> {}
  async mount(opts: { id: string }): Promise<string> { return `/rootfs/${opts.id}`; }
  async unmount(): Promise<void> {}
  async remove(id: string): Promise<void> { this.removed.push(id); }
  async sizeRw(): Promise<number> { return 0; }
  async changes(): Promise<[]> { return []; }
  diffTar(): PassThrough { return new PassThrough(); }
  exportTar(): PassThrough { return new PassThrough(); }
}

const attached: Array<Parameters<NetworkAttacher['attach']>[0]> = [];
const network: NetworkAttacher = {
  async attach(opts) {
    attached.push(opts);
    return { endpoint: { mode: 'none', networkId: 'none', endpointId: '', ipAddress: '', ipPrefixLen: 0, gateway: '', macAddress: '' }, ready: Promise.resolve() };
  },
  async detach() {},
  async releasePorts() {},
  async allowLinks() {},
  hostsFile: () => '',
  resolvConf: () => '',
  validateMode: () => 'none',
  attachments: () => [],
  sandboxPath: () => undefined,
  network: (n) => ({ id: n, name: n, driver: 'bridge' }),
  async connect() { return { mode: 'bridge', networkId: 'n', endpointId: '', ipAddress: '', ipPrefixLen: 0, gateway: '', macAddress: '' }; },
  async disconnect() {},
};

async function setup(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const dir = await mkdtemp(join(tmpdir(), 'berth-container-service-'));
  const store = await ContainerStore.open(join(dir, 'containers'), silentLogger);
  const saved: string[] = [];
  const save = store.save.bind(store);
  let saving = 0;
  store.save = async (rec) => {
    saving++;
    try { await save(rec); } finally { saving--; }
    saved.push(rec.state.status);
  };
  const runtime = new FakeRuntime();
  const rootfs = new FakeRootfs();
  const events: EngineEvent[] = [];
  const svc = new ContainerService({
    store, runtime, rootfs, network, log: silentLogger, hostCpus: { count: 2 },
    images: { get: () => ({ id: 'sha256:1111', config: { config: { Cmd: ['sleep', '1d'] } } }) },
    spec: { resolveUser: async () => ({ uid: 0, gid: 0, additionalGids: [], home: '/root' }), setupWorkingDir: () => {}, buildSpec: (input) => ({ ociVersion: '1.0.2', process: { args: input.args } }) as unknown as RuntimeSpec },
    logs: { read: async function* () {} },
    events: { publish: (e) => events.push(e) },
  });
  await svc.recover();
  t.after(async () => {
    svc.shutdown();
    // An exit's bookkeeping goes on after its waiters are told: let it land before the files go.
    await new Promise((r) => setImmediate(r));
    await until(() => saving === 0);
    await svc.settled();
    await rm(dir, { recursive: true, force: true });
  });
  const run = async (policy: RestartPolicy['Name'] = 'no'): Promise<string> => {
    const { id } = await svc.create({ config: { Image: 'busybox' }, hostConfig: { NetworkMode: 'none', RestartPolicy: { Name: policy, MaximumRetryCount: 0 } } });
    await svc.start(id);
    return id;
  };
  const actions = (): string[] => events.map((e) => e.action);
  return { svc, runtime, rootfs, saved, run, actions, tick: (ms: number) => t.mock.timers.tick(ms) };
}

/** Let queued promise work and real I/O settle until `pred` holds (no timers: they are mocked). */
async function until(pred: () => boolean): Promise<void> {
  for (let i = 0; !pred(); i++) {
    if (i > 10_000) throw new Error('condition never held');
    await new Promise((r) => setImmediate(r));
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

test('a container with restart policy always starts again after it exits by itself', async (t) => {
  const { svc, runtime, saved, run, tick } = await setup(t);
  const id = await run('always');
  runtime.exit(id, 1);
  await until(() => saved.includes('restarting'));
  tick(1000);
  await until(() => runtime.count('start') === 2 && svc.get(id).state.status === 'running');
  assert.equal(svc.get(id).restartCount, 1);
});

test('stop() while a restart timer is due cancels it: the container stays exited', async (t) => {
  const { svc, runtime, saved, run, actions, tick } = await setup(t);
  const id = await run('always');
  runtime.exit(id, 1);
  await until(() => saved.includes('restarting'));
  await svc.stop(id);
  tick(120_000);
  await new Promise((r) => setImmediate(r));
  assert.equal(runtime.count('create'), 1);
  assert.equal(svc.get(id).state.status, 'exited');
  assert.equal(svc.get(id).manuallyStopped, true);
  assert.deepEqual(actions().slice(-2), ['die', 'stop']);
});

test('stop() while a fired restart is starting the process waits for it, then stops it for good', async (t) => {
  const { svc, runtime, saved, run, tick } = await setup(t);
  const id = await run('always');
  runtime.exit(id, 1);
  await until(() => saved.includes('restarting'));
  const gate = deferred();
  runtime.createGate = gate.promise;
  tick(1000);
  await until(() => runtime.count('create') === 2);
  const stopping = svc.stop(id, { timeoutSec: 5 });
  gate.resolve();
  await stopping;
  tick(120_000);
  await new Promise((r) => setImmediate(r));
  assert.equal(runtime.count('create'), 2, 'no restart after the stop');
  assert.equal(svc.get(id).state.status, 'exited');
  assert.equal(svc.get(id).state.exitCode, 143);
});

test('rm -f during start waits for the start, kills the process and removes the container', async (t) => {
  const { svc, runtime, rootfs, actions } = await setup(t);
  const { id } = await svc.create({ config: { Image: 'busybox' }, hostConfig: { NetworkMode: 'none' } });
  const gate = deferred();
  runtime.createGate = gate.promise;
  const starting = svc.start(id);
  await until(() => runtime.count('create') === 1);
  const removing = svc.remove(id, { force: true });
  gate.resolve();
  await Promise.all([starting, removing]);
  await svc.settled();
  assert.throws(() => svc.get(id), /No such container/);
  assert.ok(runtime.calls.includes('kill SIGKILL'));
  assert.ok(runtime.calls.includes('delete'));
  assert.deepEqual(rootfs.removed, [id]);
  assert.deepEqual(actions(), ['create', 'start', 'kill', 'die', 'destroy']);
});

test('two stops at once both return once the container has exited, which dies once', async (t) => {
  const { svc, run, actions } = await setup(t);
  const id = await run('no');
  const results = await Promise.allSettled([svc.stop(id, { timeoutSec: 5 }), svc.stop(id, { timeoutSec: 5 })]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled']);
  assert.equal(svc.get(id).state.status, 'exited');
  assert.equal(actions().filter((a) => a === 'die').length, 1);
  await assert.rejects(svc.stop(id), /container is already stopped/);
});

for (const policy of ['always', 'unless-stopped', 'on-failure'] as const) {
  test(`restart policy ${policy} does not start a container again after an explicit stop or kill`, async (t) => {
    const { svc, runtime, run, tick } = await setup(t);
    const id = await run(policy);
    await svc.stop(id, { timeoutSec: 5 });
    tick(120_000);
    await new Promise((r) => setImmediate(r));
    assert.equal(svc.get(id).state.status, 'exited');
    await svc.start(id);
    await svc.kill(id);
    tick(120_000);
    await new Promise((r) => setImmediate(r));
    assert.equal(runtime.count('create'), 2);
    assert.equal(svc.get(id).state.status, 'exited');
    assert.equal(svc.get(id).state.exitCode, 137);
  });
}

test('the NetworkingConfig of a create is kept with the record and handed to the network service at start', async (t) => {
  const { svc } = await setup(t);
  const networkingConfig = { EndpointsConfig: { none: { Aliases: ['web'], MacAddress: '02:42:ac:11:00:09', IPAMConfig: null } } };
  const { id } = await svc.create({ config: { Image: 'busybox' }, hostConfig: { NetworkMode: 'none' }, networkingConfig });
  assert.deepEqual(svc.get(id).networkingConfig, networkingConfig);
  await svc.start(id);
  assert.deepEqual(attached.at(-1)?.config, { aliases: ['web'], macAddress: '02:42:ac:11:00:09' });
  const { id: plain } = await svc.create({ config: { Image: 'busybox' }, hostConfig: { NetworkMode: 'none' }, networkingConfig: { EndpointsConfig: {} } });
  assert.equal(svc.get(plain).networkingConfig, undefined);
  await svc.stop(id, { timeoutSec: 5 });
});
