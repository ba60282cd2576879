import { mkdir, writeFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { ConflictError, InvalidArgumentError, NotImplementedError, NotModifiedError, newId, shortId } from '../base/index.js';
import { startFailureExitCode } from '../runtime/index.js';
import { ZERO_TIME, hasProcess, type ContainerDeclaration, type ContainerRecord, type HostConfig, type NetworkingConfig } from './config.js';
import { delay, normalizeSignal, type ContainerCore } from './core.js';
import { commandLine, mergeImageConfig, normalizeConfig, normalizeHostConfig, refuseUnsupported, validateHostConfig } from './declaration.js';
import { servePendingAttach } from './io.js';
import { isValidName, randomName } from './names.js';
import { endpointSettingsFor, toEndpointConfig } from './networking.js';
import { removeContainer } from './removal.js';
import { restorePoint } from './checkpoint.js';
import { validateCpuResources } from './resource-checks.js';
import { parseSecurityOpts } from './security-opts.js';
import { toSpecRequest } from './spec-request.js';

export interface CreateRequest {
  name?: string;
  config: Partial<ContainerDeclaration>;
  hostConfig?: Partial<HostConfig>;
  /** The endpoints asked for, by network name; kept with the record and handed to the network service at start. */
  networkingConfig?: NetworkingConfig;
}

const DEFAULT_STOP_TIMEOUT_S = 10;

// ---- create -----------------------------------------------------------------

export async function createContainer(core: ContainerCore, req: CreateRequest): Promise<{ id: string; warnings: string[] }> {
  const { d } = core;
  const hostConfig = normalizeHostConfig(req.hostConfig);
  validateHostConfig(hostConfig);
  validateCpuResources(hostConfig, d.hostCpus);
  refuseUnsupported(hostConfig, { runtimes: d.runtime.names });
  parseSecurityOpts(hostConfig.SecurityOpt, { decodeProfile: false });
  if (req.config.Healthcheck && (req.config.Healthcheck as { Test?: string[] }).Test?.[0] !== 'NONE') {
    throw new NotImplementedError('berth does not run health checks yet (--health-*)');
  }
  let config = normalizeConfig(req.config);
  if (!config.Image) throw new InvalidArgumentError('invalid reference format');
  d.network.validateMode(hostConfig.NetworkMode);
  const image = d.images.get(config.Image);
  config = mergeImageConfig(config, image.config.config);
  const { path, args } = commandLine(config);

  const id = newId();
  if (!config.Hostname) config.Hostname = hostConfig.NetworkMode === 'host' ? '' : shortId(id);
  const name = chooseName(core, req.name, id);
  try {
    await mkdir(d.store.dir(id), { recursive: true });
    await d.rootfs.create({ id, imageId: image.id });
    const rec: ContainerRecord = {
      id, name, created: new Date().toISOString(), imageId: image.id, path, args, config, hostConfig,
      state: { status: 'created', pid: 0, exitCode: 0, error: '', oomKilled: false, startedAt: ZERO_TIME, finishedAt: ZERO_TIME },
      restartCount: 0, manuallyStopped: false, runtime: hostConfig.Runtime || d.runtime.name,
      ...(req.networkingConfig && Object.keys(req.networkingConfig.EndpointsConfig ?? {}).length ? { networkingConfig: req.networkingConfig } : {}),
    };
    await d.store.save(rec);
    core.event(rec, 'create');
    return { id, warnings: [] };
  } catch (e) {
    d.store.releaseName(name, id);
    await d.rootfs.remove(id).catch(() => {});
    await d.store.delete({ id, name } as ContainerRecord).catch(() => {});
    throw e;
  }
}

function chooseName(core: ContainerCore, requested: string | undefined, id: string): string {
  const { store } = core.d;
  if (requested) {
    const name = requested.startsWith('/') ? requested.slice(1) : requested;
    if (!isValidName(name)) throw new InvalidArgumentError(`Invalid container name (${requested}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    store.reserveName(name, id);
    return name;
  }
  for (let attempt = 0; ; attempt++) {
    const name = randomName(attempt > 5 ? attempt : 0);
    if (!store.nameOwner(name)) {
      store.reserveName(name, id);
      return name;
    }
  }
}

// ---- start --------------------------------------------------------------------

export async function startContainer(core: ContainerCore, ref: string, opts: { checkpoint?: string; checkpointDir?: string } = {}): Promise<void> {
  const rec = core.d.store.get(ref);
  await core.mutex.run(rec.id, async () => {
    if (rec.state.status === 'running') throw new NotModifiedError('container is already running');
    if (rec.state.status === 'paused') throw new ConflictError('cannot start a paused container, try unpause instead');
    if (rec.state.status === 'removing' || rec.state.status === 'dead') throw new ConflictError('container is marked for removal and cannot be started');
    const restoreFrom = opts.checkpoint ? await restorePoint(core, rec, opts.checkpoint, opts.checkpointDir ? { dir: opts.checkpointDir } : {}) : undefined;
    core.cancelRestart(rec.id);
    rec.manuallyStopped = false;
    await startLocked(core, rec, restoreFrom ? { restoreFrom } : {});
  });
}

/** Start a container whose lock the caller holds; a failure leaves it stopped with the runtime's error. */
export async function startLocked(core: ContainerCore, rec: ContainerRecord, opts: { restoreFrom?: string } = {}): Promise<void> {
  try {
    await launch(core, rec, opts);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    rec.state = { ...rec.state, status: rec.state.status === 'restarting' ? 'exited' : rec.state.status, pid: 0, error: msg, exitCode: startFailureExitCode(msg) };
    await core.cleanupRuntime(rec);
    await core.d.store.save(rec).catch(() => {});
    if (rec.hostConfig.AutoRemove) void removeContainer(core, rec.id, { force: true }).catch(() => {});
    throw e;
  }
}

/** Make the container's process: created and started, or restored running from a checkpoint (criu). */
async function launch(core: ContainerCore, rec: ContainerRecord, opts: { restoreFrom?: string }): Promise<void> {
  const { d } = core;
  const t0 = performance.now();
  const mark = (step: string): void => d.log.debug('start step', { id: rec.id.slice(0, 12), step, ms: Math.round(performance.now() - t0) });
  const mode = d.network.validateMode(rec.hostConfig.NetworkMode);
  const endpoint = toEndpointConfig(endpointSettingsFor(rec.networkingConfig, rec.hostConfig.NetworkMode));
  // The rootfs mount and the namespace are independent: make both at once.
  const [rootfs, net] = await Promise.all([
    d.rootfs.mount({ id: rec.id, imageId: rec.imageId }).finally(() => mark('mounted')),
    d.network.attach({
      containerId: rec.id, containerName: rec.name, mode,
      ...(rec.config.MacAddress ? { macAddress: rec.config.MacAddress } : {}), ...(endpoint ? { config: endpoint } : {}),
    }),
  ]);
  const user = await d.spec.resolveUser(rootfs, rec.config.User);
  d.spec.setupWorkingDir(rootfs, rec.config.WorkingDir);
  mark('network');
  rec.network = net.endpoint;
  const hostname = rec.config.Hostname || osHostname();
  const files = {
    hostname: core.filePath(rec, 'hostname'),
    hosts: core.filePath(rec, 'hosts'),
    resolvConf: core.filePath(rec, 'resolv.conf'),
  };
  await Promise.all([
    writeFile(files.hostname, `${hostname}\n`),
    writeFile(files.hosts, d.network.hostsFile({
      hostname, domainname: rec.config.Domainname, mode, extraHosts: rec.hostConfig.ExtraHosts ?? [],
      ...(net.endpoint.ipAddress ? { ip: net.endpoint.ipAddress } : {}),
    })),
    writeFile(files.resolvConf, d.network.resolvConf({
      mode, dns: rec.hostConfig.Dns ?? [], dnsSearch: rec.hostConfig.DnsSearch ?? [], dnsOptions: rec.hostConfig.DnsOptions ?? [],
    })),
  ]);
  const spec = d.spec.buildSpec(toSpecRequest(rec, {
    rootfs, user, hostname, files, network: { mode, ...(net.netnsPath ? { path: net.netnsPath } : {}) },
  }));
  // netavark wires the namespace while runc creates the container; both must finish before start.
  mark('spec');
  const [{ pid }] = await Promise.all([
    d.runtime.create({
      id: rec.id, name: rec.name, spec, logPath: core.logPath(rec), tty: rec.config.Tty, stdin: rec.config.OpenStdin, stdinOnce: rec.config.StdinOnce,
      runtime: rec.runtime, ...(opts.restoreFrom ? { restoreFrom: opts.restoreFrom } : {}),
    }).finally(() => mark('runtime-created')),
    net.ready.finally(() => mark('network-ready')),
  ]);
  mark('created');
  await servePendingAttach(core, rec.id);
  if (!opts.restoreFrom) await d.runtime.start(rec.id);
  mark('started');
  rec.state = { status: 'running', pid, exitCode: 0, error: '', oomKilled: false, startedAt: new Date().toISOString(), finishedAt: rec.state.finishedAt };
  await d.store.save(rec);
  core.event(rec, 'start');
}

// ---- stop, kill, restart, rename --------------------------------------------------

export async function stopContainer(core: ContainerCore, ref: string, opts: { timeoutSec?: number; signal?: string } = {}): Promise<void> {
  const { d } = core;
  const rec = d.store.get(ref);
  // Decide under the container's lock: a restart whose timer has fired holds it while it starts
  // the process, and an exit takes it to choose whether to restart. Deciding outside could
  // start again a container that was just stopped.
  const running = await core.mutex.run(rec.id, async () => {
    if (rec.state.status === 'restarting') {
      core.cancelRestart(rec.id);
      rec.manuallyStopped = true;
      rec.state.status = 'exited';
      await d.store.save(rec);
      core.event(rec, 'stop');
      return undefined;
    }
    if (!hasProcess(rec.state)) throw new NotModifiedError('container is already stopped');
    const exited = core.waiters.add(rec.id, 'not-running');
    rec.manuallyStopped = true;
    await d.store.save(rec);
    return { exited };
  });
  if (!running) return;
  const { exited } = running;
  const timeout = opts.timeoutSec ?? rec.config.StopTimeout ?? DEFAULT_STOP_TIMEOUT_S;
  const signal = opts.signal || rec.config.StopSignal || 'SIGTERM';
  // The event goes first: the exit the signal causes may be seen before the kill returns.
  core.killEvent(rec, signal);
  await d.runtime.kill(rec.id, signal).catch(() => {});
  if (timeout >= 0) {
    const timedOut = await Promise.race([exited.then(() => false), delay(timeout * 1000).then(() => true)]);
    if (timedOut) {
      core.killEvent(rec, 'SIGKILL');
      await d.runtime.kill(rec.id, 'SIGKILL').catch(() => {});
    }
  }
  await exited;
  core.event(rec, 'stop');
}

export async function killContainer(core: ContainerCore, ref: string, signal = 'SIGKILL'): Promise<void> {
  const { d } = core;
  const rec = d.store.get(ref);
  if (!hasProcess(rec.state)) {
    throw new ConflictError(`Cannot kill container: ${ref}: container ${rec.id} is not running`);
  }
  const sig = normalizeSignal(signal);
  const stopSig = normalizeSignal(rec.config.StopSignal || 'SIGTERM');
  const exited = sig === 'SIGKILL' ? core.waiters.add(rec.id, 'not-running') : undefined;
  if (sig === 'SIGKILL' || sig === stopSig) {
    rec.manuallyStopped = true;
    await d.store.save(rec);
  }
  core.killEvent(rec, sig);
  await d.runtime.kill(rec.id, sig);
  if (exited) await exited;
}

export async function restartContainer(core: ContainerCore, ref: string, opts: { timeoutSec?: number; signal?: string } = {}): Promise<void> {
  const rec = core.d.store.get(ref);
  if (hasProcess(rec.state)) await stopContainer(core, rec.id, opts);
  core.cancelRestart(rec.id);
  await core.mutex.run(rec.id, async () => {
    if (rec.state.status === 'running') return;
    rec.manuallyStopped = false;
    await startLocked(core, rec);
  });
  core.event(rec, 'restart');
}

export async function renameContainer(core: ContainerCore, ref: string, newName: string): Promise<void> {
  const { store } = core.d;
  const rec = store.get(ref);
  const name = newName.startsWith('/') ? newName.slice(1) : newName;
  if (!name) throw new InvalidArgumentError('Neither old nor new names may be empty');
  if (!isValidName(name)) throw new InvalidArgumentError(`Invalid container name (${newName}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  if (name === rec.name) throw new InvalidArgumentError('Renaming a container with the same name as its current name');
  store.reserveName(name, rec.id);
  const old = rec.name;
  rec.name = name;
  try {
    await store.save(rec);
  } catch (e) {
    rec.name = old;
    store.releaseName(name, rec.id);
    throw e;
  }
  store.releaseName(old, rec.id);
  core.event(rec, 'rename', { oldName: old });
}
