import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ConflictError, InvalidArgumentError, UnavailableError, errnoCode, writeFileAtomic, type Logger } from '../base/index.js';
import { ApiServer, Router } from '../api/server/index.js';
import { readHostRuntimeFacts } from '../host/index.js';
import { containerRoutes } from '../api/routes/containers.js';
import { imageRoutes } from '../api/routes/images.js';
import { networkRoutes } from '../api/routes/networks.js';
import { systemRoutes } from '../api/routes/system.js';
import { swarmRoutes } from '../api/routes/swarm.js';
import { eventRoutes } from '../api/routes/events.js';
import { containerFileRoutes } from '../api/routes/container-files.js';
import { checkpointRoutes } from '../api/routes/checkpoints.js';
import { ContainerService, ContainerStore, isUp, type NetworkAttacher } from '../container/index.js';
import { ImageService } from '../image/index.js';
import { imageCommitter } from './image-commit.js';
import { NetworkService } from '../network/index.js';
import { detectRuntimes, hostSpecFacts, bindRuntimeReadOnly, type DetectedRuntime } from '../runtime/index.js';
import type { DaemonConfig } from './config.js';
import { EventLog } from './events/event-log.js';
import { idleCollector } from './idle-gc.js';
import { listenOn } from './listen.js';
import { claimPidfile } from './pidfile.js';
import { snapshotRootfs } from './rootfs-adapter.js';
import { containerPaths, OverlaySnapshotter } from '../snapshot/index.js';
import { containerRuntime, logReader, runtimeSet, specFactory } from './runtime-adapter.js';
import { API_VERSION, BERTH_VERSION, MIN_API_VERSION, systemInfo, versionInfo } from './system-info.js';

export interface RunningDaemon {
  shutdown(): Promise<void>;
  /**
   * Remove what this daemon installed on the host (`berthd --cleanup`); refuses while a container
   * runs. Started with `cleanup`, the daemon restarted no container at recovery.
   */
  teardown(): Promise<{ removed: string[]; kept: string[] }>;
}

/** The composition root: builds every service, recovers containers, serves the API. */
export async function startDaemon(cfg: DaemonConfig, log: Logger): Promise<RunningDaemon> {
  await Promise.all([mkdir(cfg.dataRoot, { recursive: true, mode: 0o711 }), mkdir(cfg.execRoot, { recursive: true, mode: 0o700 })]);
  const releasePidfile = await claimPidfile(cfg.pidfile);
  for (const key of cfg.ignoredKeys) log.warn(`daemon.json key "${key}" is accepted but not acted on by this berth version`);

  const host = await readHostRuntimeFacts();
  const runtimes = await detectRuntimes(host);
  const runtime = chooseRuntime(runtimes, cfg.defaultRuntime);
  const warnings = runtimes.filter((r) => !r.usable).map((r) => `${r.name} ${r.version} is installed but cannot run containers here: ${r.reason ?? 'unknown reason'}`);
  for (const w of warnings) log.warn(w);

  const containersRoot = join(cfg.dataRoot, 'containers');
  const events = new EventLog();
  const [images, network, store, facts, engineId, runtimeBinary] = await Promise.all([
    ImageService.open({ root: cfg.dataRoot, log: log.child({ module: 'image' }), events }),
    NetworkService.open({
      root: join(cfg.dataRoot, 'networks'), execRoot: cfg.execRoot, log: log.child({ module: 'network' }),
      bridge: { name: cfg.bridge, ...(cfg.bip ? { subnet: cfg.bip } : {}) },
      netnsPool: 2, events,
    }),
    ContainerStore.open(containersRoot, log.child({ module: 'store' })),
    hostSpecFacts({ host }),
    engineIdentity(cfg.dataRoot),
    bindRuntimeReadOnly({ name: runtime.name, path: runtime.path, execRoot: cfg.execRoot, log }),
  ]);
  // Every usable runtime stays selectable per container (HostConfig.Runtime), as /info lists them.
  const otherRuntimes = runtimes.filter((r) => r.usable && r.name !== runtime.name);
  const otherBinaries = await Promise.all(otherRuntimes.map((r) => bindRuntimeReadOnly({ name: r.name, path: r.path, execRoot: cfg.execRoot, log })));

  const attacher: NetworkAttacher = {
    attach: async (o) => {
      const p = await network.beginAttach(o);
      return { ...(p.netnsPath ? { netnsPath: p.netnsPath } : {}), endpoint: p.planned, ready: p.done.then(() => {}) };
    },
    detach: (id) => network.detach(id),
    hostsFile: (o) => network.hostsFile(o),
    resolvConf: (o) => network.resolvConf(o),
    validateMode: (m) => {
      const mode = network.validateMode(m);
      if (mode !== 'bridge' && mode !== 'host' && mode !== 'none') throw new InvalidArgumentError(`network mode "${m}" is not supported yet`);
      return mode;
    },
  };
  const snapshotter = new OverlaySnapshotter({ root: cfg.dataRoot, layers: images });
  const containers = new ContainerService({
    store, images, network: attacher, log: log.child({ module: 'container' }),
    rootfs: snapshotRootfs({ snapshotter }),
    runtime: runtimeSet({
      default: containerRuntime({ runtime: { ...runtime, path: runtimeBinary.path }, execRoot: cfg.execRoot, log: log.child({ module: 'runtime' }) }),
      others: otherRuntimes.map((r, i) => containerRuntime({ runtime: { ...r, path: otherBinaries[i]!.path }, execRoot: cfg.execRoot, log: log.child({ module: 'runtime' }) })),
    }),
    spec: specFactory(facts),
    logs: logReader,
    hostCpus: { count: host.cpuCount, ...(host.cpuset ? { cpuset: host.cpuset } : {}) },
    events,
    files: { images: imageCommitter(images) },
  });
  // What a crash left behind that belongs to no running (mounts, endpoints) or existing (layer holds) container goes.
  await containers.recover({
    restart: !cfg.cleanup,
    sweep: async ({ running, known }) => {
      const sweepLog = log.child({ module: 'recovery' });
      await Promise.all([
        network.reclaim(running),
        snapshotter.reclaimMounts({ keep: running, onUnmount: (path) => sweepLog.info('unmounting the rootfs of a container that does not run', { path }) }),
        images.reclaimHolds(known).then((layers) => { if (layers.length) sweepLog.info('released the layers of removed containers', { layers }); }),
      ]);
    },
  });

  const router = new Router();
  systemRoutes(router, {
    apiVersion: API_VERSION,
    version: versionInfo,
    info: async () => {
      const all = containers.all();
      const count = (s: string): number => all.filter((c) => c.state.status === s).length;
      const running = count('running') + count('restarting');
      const paused = count('paused');
      return systemInfo({
        id: engineId, dataRoot: cfg.dataRoot, images: (await images.list({})).length,
        containers: { running, paused, stopped: all.length - running - paused },
        runtimes, defaultRuntime: runtime.name, bridge: cfg.bridge, logLevel: cfg.logLevel, warnings,
        cgroupVersion: host.cgroupMode === 'unified' ? '2' : '1',
      });
    },
  });
  containerRoutes(router, containers, {
    rootfsDir: (id) => containerPaths(containersRoot, id).merged,
    upperDir: (id) => containerPaths(containersRoot, id).upper,
    workDir: (id) => containerPaths(containersRoot, id).work,
    imageSize: (imageId) => images.get(imageId).size,
  });
  imageRoutes(router, images, {
    containerUsing: (id) => containers.imageUser(id),
    containerCount: (id) => containers.all().filter((c) => c.imageId === id).length,
    settled: () => containers.settled(),
  }, fetchUrl);
  networkRoutes(router, network);
  swarmRoutes(router);
  eventRoutes(router, events);
  containerFileRoutes(router, containers.files);
  checkpointRoutes(router, containers.files);

  const idle = idleCollector();
  const api = new ApiServer({
    router, apiVersion: API_VERSION, minApiVersion: MIN_API_VERSION, serverHeader: `Berth/${BERTH_VERSION} (linux)`,
    log: log.child({ module: 'api' }), onRequest: () => idle.touch(),
  });
  for (const host of cfg.hosts) await listenOn(() => api.createHttpServer(), host);
  log.info('berthd is serving', { hosts: cfg.hosts, runtime: runtime.name, dataRoot: cfg.dataRoot });

  return {
    async teardown() {
      const running = containers.all().filter((c) => isUp(c.state));
      if (running.length) {
        throw new ConflictError(`Cannot clean up while containers run: ${running.map((c) => c.name).join(', ')}; stop or remove them first`);
      }
      return network.teardown();
    },
    async shutdown() {
      containers.shutdown();
      idle.stop();
      // Every step runs even when one before it fails: a failed network teardown must not leave the runtime's bind mounted.
      let failure: unknown;
      const steps = [() => api.close(), () => containers.settled(), () => network.close(), () => runtimeBinary.release(), async () => { await Promise.all(otherBinaries.map((b) => b.release())); }, () => releasePidfile()];
      for (const step of steps) await step().catch((e: unknown) => { failure ??= e; });
      if (failure) throw failure;
      log.info('berthd stopped; containers keep running');
    },
  };
}

function chooseRuntime(found: DetectedRuntime[], wanted: 'runc' | 'crun' | undefined): DetectedRuntime {
  if (wanted) {
    const r = found.find((x) => x.name === wanted);
    if (!r) throw new InvalidArgumentError(`default runtime ${wanted} is not installed`);
    if (!r.usable) throw new InvalidArgumentError(`default runtime ${wanted} cannot run containers on this host: ${r.reason ?? 'unknown reason'}`);
    return r;
  }
  // crun starts a container in about half of runc's time and is lighter: prefer it where it works.
  const usable = found.find((x) => x.usable && x.name === 'crun') ?? found.find((x) => x.usable);
  if (!usable) throw new UnavailableError(`no usable OCI runtime: install runc or crun (${found.map((r) => `${r.name}: ${r.reason}`).join('; ')})`);
  return usable;
}

async function engineIdentity(dataRoot: string): Promise<string> {
  const path = join(dataRoot, 'engine-id');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e;
    const id = randomUUID();
    await writeFileAtomic(path, id);
    return id;
  }
}

/** `docker import <URL>`: the daemon downloads the tarball. */
async function fetchUrl(url: string, signal: AbortSignal): Promise<Readable> {
  if (!/^https?:\/\//.test(url)) throw new InvalidArgumentError(`invalid import source "${url}": expected -, or an http(s) URL`);
  const res = await fetch(url, { signal });
  if (!res.ok || !res.body) throw new InvalidArgumentError(`Get "${url}": unexpected status ${res.status}`);
  return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
}
