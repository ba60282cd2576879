import { mkdir, writeFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { ConflictError, InvalidArgumentError, NotModifiedError, newId, shortId } from '../base/index.js';
import type { NetworkMode } from '../oci/index.js';
import { startFailureExitCode } from '../runtime/index.js';
import { ZERO_TIME, hasProcess, type ContainerDeclaration, type ContainerRecord, type HostConfig, type NetworkEndpoint, type NetworkingConfig } from './config.js';
import { delay, normalizeSignal, type ContainerCore } from './core.js';
import { commandLine, mergeEnv, mergeImageConfig, normalizeConfig, normalizeHostConfig, refuseUnsupported, validateHostConfig } from './declaration.js';
import { servePendingAttach } from './io.js';
import { anonymousVolumes, declareMounts, prepareMounts, removeVolumes } from './mount-points.js';
import { linkEnv, linkHosts, linkOpenings, normalizeLinks, refreshReceivers, resolveLinks, type LinkedSource } from './links.js';
import { isValidName, randomName } from './names.js';
import { checkContainerModeOptions, joinedContainer, networksToJoin } from './networking.js';
import { removeContainer } from './removal.js';
import { thawAfterSignal } from './pause.js';
import { namespaceSharing, validateNamespaceModes } from './namespaces.js';
import { restorePoint } from './checkpoint.js';
import { validateCpuResources } from './resource-checks.js';
import { discardedPortsWarning, portRequests, validatePortBindings } from './published-ports.js';
import { parseSecurityOpts } from './security-opts.js';
import { toSpecRequest } from './spec-request.js';
import { checkExtraResources } from './update.js';

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
  const { warnings, drop } = checkExtraResources(hostConfig, { blkioWeight: d.cgroupFeatures?.blkioWeight ?? false });
  for (const k of drop) delete hostConfig[k];
  refuseUnsupported(hostConfig, { runtimes: d.runtime.names });
  validatePortBindings(hostConfig);
  validateNamespaceModes(hostConfig, { hostname: req.config.Hostname ?? '' });
  parseSecurityOpts(hostConfig.SecurityOpt, { decodeProfile: false });
  let config = normalizeConfig(req.config);
  if (!config.Image) throw new InvalidArgumentError('invalid reference format');
  d.network.validateMode(hostConfig.NetworkMode);
  checkContainerModeOptions(hostConfig, req.config);
  const image = d.images.get(config.Image);
  config = mergeImageConfig(config, image.config.config);
  const { path, args } = commandLine(config);

  const id = newId();
  if (!config.Hostname) config.Hostname = hostConfig.NetworkMode === 'host' || hostConfig.NetworkMode.startsWith('container:') || hostConfig.UTSMode === 'host' ? '' : shortId(id);
  const name = chooseName(core, req.name, id);
  let made: ContainerRecord['mountPoints'];
  try {
    normalizeLinks(hostConfig, { receiver: name, store: d.store });
    await mkdir(d.store.dir(id), { recursive: true });
    await d.rootfs.create({ id, imageId: image.id });
    const mountPoints = await declareMounts(core, config, hostConfig);
    made = mountPoints;
    const rec: ContainerRecord = {
      id, name, created: new Date().toISOString(), imageId: image.id, path, args, config, hostConfig,
      state: { status: 'created', pid: 0, exitCode: 0, error: '', oomKilled: false, startedAt: ZERO_TIME, finishedAt: ZERO_TIME },
      restartCount: 0, manuallyStopped: false, runtime: hostConfig.Runtime || d.runtime.name,
      ...(req.networkingConfig && Object.keys(req.networkingConfig.EndpointsConfig ?? {}).length ? { networkingConfig: req.networkingConfig } : {}),
      ...(mountPoints.length ? { mountPoints } : {}),
    };
    await d.store.save(rec);
    core.event(rec, 'create');
    const portsWarning = discardedPortsWarning(hostConfig);
    return { id, warnings: portsWarning ? [...warnings, portsWarning] : warnings };
  } catch (e) {
    d.store.releaseName(name, id);
    await d.rootfs.remove(id).catch(() => {});
    await d.store.delete({ id, name } as ContainerRecord).catch(() => {});
    if (made) await removeVolumes(core, anonymousVolumes({ mountPoints: made } as ContainerRecord));
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
    // A start by the user begins the restart count and back-off afresh, as dockerd's does.
    rec.restartCount = 0;
    core.restartDelay.delete(rec.id);
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
  let mode = d.network.validateMode(rec.hostConfig.NetworkMode);
  // --network container:<x> shares x's namespace and its hostname, hosts and resolv.conf files
  const joined = mode === 'container' ? joinedContainer(d.store, rec) : undefined;
  if (joined && d.network.validateMode(joined.hostConfig.NetworkMode) === 'host') mode = 'host';
  const joinedPath = joined && mode !== 'host' ? d.network.sandboxPath(joined.id) : undefined;
  if (joined && mode !== 'host' && !joinedPath) throw new ConflictError(`cannot join network namespace of container ${joined.id}: it has none`);
  const shared = await namespaceSharing(core, rec);
  const { first: endpoint, more } = networksToJoin(rec);
  const ports = mode === 'bridge' && !joined ? portRequests(rec.hostConfig, rec.config.ExposedPorts) : [];
  // the sources must run before anything is made for this container
  // (legacy links: the default bridge only; on a user network a link is a name the embedded DNS answers, networksToJoin)
  const links = mode === 'bridge' && !joined && rec.hostConfig.NetworkMode === 'bridge' ? resolveLinks(rec, d.store) : [];
  const attachNetwork = (): Promise<{ netnsPath?: string; endpoint?: NetworkEndpoint; ready: Promise<void> }> => (joined
    ? Promise.resolve({ ...(joinedPath ? { netnsPath: joinedPath } : {}), ready: Promise.resolve() })
    : d.network.attach({
      containerId: rec.id, containerName: rec.name, mode, ...(mode === 'bridge' ? { network: rec.hostConfig.NetworkMode, more } : {}),
      ...(rec.config.MacAddress ? { macAddress: rec.config.MacAddress } : {}), ...(endpoint ? { config: endpoint } : {}),
      ...(rec.hostConfig.Dns?.length ? { dnsServers: rec.hostConfig.Dns } : {}),
      ...(ports.length ? { ports } : {}),
    }));
  // The rootfs mount and the namespace are independent: make both at once.
  const [rootfs, net] = await Promise.all([
    d.rootfs.mount({ id: rec.id, imageId: rec.imageId }).finally(() => mark('mounted')),
    attachNetwork(),
  ]);
  const [user, mounts] = await Promise.all([d.spec.resolveUser(rootfs, rec.config.User), prepareMounts(core, rec, rootfs)]);
  mark('mounts');
  d.spec.setupWorkingDir(rootfs, rec.config.WorkingDir);
  mark('network');
  if (net.endpoint) rec.network = net.endpoint;
  else delete rec.network;
  const owner = joined ?? rec;
  const hostname = owner.config.Hostname || osHostname();
  const files = {
    hostname: core.filePath(owner, 'hostname'),
    hosts: core.filePath(owner, 'hosts'),
    resolvConf: core.filePath(owner, 'resolv.conf'),
  };
  if (!joined) {
    await Promise.all([
      writeFile(files.hostname, `${hostname}\n`),
      writeFile(files.hosts, hostsText(core, rec, { mode, hostname, ip: net.endpoint?.ipAddress, links })),
      writeFile(files.resolvConf, d.network.resolvConf({
        mode, dns: rec.hostConfig.Dns ?? [], dnsSearch: rec.hostConfig.DnsSearch ?? [], dnsOptions: rec.hostConfig.DnsOptions ?? [], containerId: rec.id,
      })),
    ]);
  }
  const withLinks = links.length ? { ...rec, config: { ...rec.config, Env: mergeEnv(links.flatMap((l) => linkEnv(rec.name, l)), rec.config.Env) } } : rec;
  const spec = d.spec.buildSpec(toSpecRequest(withLinks, {
    rootfs, user, hostname, files, network: { mode, ...(net.netnsPath ? { path: net.netnsPath } : {}) }, mounts, ...shared,
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
  rec.networks = Object.fromEntries(d.network.attachments(rec.id).map((e) => [e.networkName, e.attachment]));
  mark('created');
  if (links.length && net.endpoint) await d.network.allowLinks(rec.id, linkOpenings(net.endpoint.ipAddress, links));
  await servePendingAttach(core, rec.id);
  if (!opts.restoreFrom) await d.runtime.start(rec.id);
  mark('started');
  rec.state = { status: 'running', pid, exitCode: 0, error: '', oomKilled: false, startedAt: new Date().toISOString(), finishedAt: rec.state.finishedAt };
  await d.store.save(rec);
  core.event(rec, 'start');
  for (const f of core.started) f(rec);
  await refreshReceivers(rec, {
    store: d.store, hostsPath: (r) => core.filePath(r, 'hosts'),
    allow: (r, l) => (r.network ? d.network.allowLinks(r.id, linkOpenings(r.network.ipAddress, l)) : Promise.resolve()),
    render: (r, l) => hostsText(core, r, { mode: 'bridge', hostname: r.config.Hostname || osHostname(), ip: r.network?.ipAddress, links: l }),
  }).catch((e: unknown) => d.log.warn('cannot update the hosts files of linked containers', { id: rec.id, error: String(e) }));
}

/** The container's /etc/hosts: the network's defaults, --add-host entries, then its links' (as dockerd orders them). */
function hostsText(core: ContainerCore, rec: ContainerRecord, o: { mode: NetworkMode; hostname: string; ip?: string | undefined; links: LinkedSource[] }): string {
  return core.d.network.hostsFile({
    hostname: o.hostname, domainname: rec.config.Domainname, mode: o.mode,
    extraHosts: [...(rec.hostConfig.ExtraHosts ?? []), ...o.links.map(linkHosts)],
    ...(o.ip ? { ip: o.ip } : {}),
  });
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
  await thawAfterSignal(core, rec);
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
  // dockerd cancels the restart policy for SIGKILL, the stop signal, or any signal when the container names none.
  if (sig === 'SIGKILL' || sig === stopSig || !rec.config.StopSignal) {
    rec.manuallyStopped = true;
    await d.store.save(rec);
  }
  core.killEvent(rec, sig);
  await d.runtime.kill(rec.id, sig);
  await thawAfterSignal(core, rec);
  if (exited) await exited;
}

export async function restartContainer(core: ContainerCore, ref: string, opts: { timeoutSec?: number; signal?: string } = {}): Promise<void> {
  const rec = core.d.store.get(ref);
  if (hasProcess(rec.state)) await stopContainer(core, rec.id, opts);
  core.cancelRestart(rec.id);
  await core.mutex.run(rec.id, async () => {
    if (rec.state.status === 'running') return;
    rec.manuallyStopped = false;
    rec.restartCount = 0;
    core.restartDelay.delete(rec.id);
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
