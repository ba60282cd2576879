import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ConflictError, InvalidArgumentError, UnavailableError, errnoCode, writeFileAtomic, type Filters, type Logger } from '../base/index.js';
import { ApiServer, Router } from '../api/server/index.js';
import { blkioWeightSupported, enableIpv4Forwarding, mountPointsUnder, readHostRuntimeFacts, unmount } from '../host/index.js';
import { containerRoutes } from '../api/routes/containers.js';
import { imageRoutes } from '../api/routes/images.js';
import { networkRoutes } from '../api/routes/networks.js';
import { systemRoutes } from '../api/routes/system.js';
import { swarmRoutes } from '../api/routes/swarm.js';
import { eventRoutes } from '../api/routes/events.js';
import { buildRoutes } from '../api/routes/build.js';
import { BuildCacheStore, BuildService } from '../build/index.js';
import { buildEngine } from './build-engine.js';
import { buildCacheUsage, pruneBuildCache } from './build-cache-prune.js';
import { containerFileRoutes } from '../api/routes/container-files.js';
import { statsRoutes } from '../api/routes/container-stats.js';
import { containerUpdateRoutes } from '../api/routes/container-update.js';
import { systemDfRoutes } from '../api/routes/system-df.js';
import { execRoutes } from '../api/routes/exec.js';
import { topRoutes } from '../api/routes/top.js';
import { toVolume, volumeRoutes } from '../api/routes/volumes.js';
import { ContainerService, ContainerStore, isUp, usesVolume, type NetworkAttacher } from '../container/index.js';
import { VolumeService } from '../volume/index.js';
import { distributionRoutes, pullReply } from '../api/routes/distribution.js';
import { RegistryClient } from '../registry/index.js';
import { distributionBackend } from './distribution-adapter.js';
import { HeapMode } from './heap-mode.js';
import { checkpointRoutes } from '../api/routes/checkpoints.js';
import { ImageService } from '../image/index.js';
import { imageCommitter } from './image-commit.js';
import { DEFAULT_BRIDGE_SUBNET, NetworkService, defaultBridgeAddressing } from '../network/index.js';
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

  // dockerd's --ip-forward (default true): containers reach past the host only with forwarding on
  if (cfg.bridgeOptions.ipForward && (await enableIpv4Forwarding())) log.info('enabled net.ipv4.ip_forward');
  const bridgeAddressing = defaultBridgeAddressing({ ...(cfg.bip ? { bip: cfg.bip } : {}), ...(cfg.bridgeOptions.fixedCidr ? { fixedCidr: cfg.bridgeOptions.fixedCidr } : {}), defaultSubnet: DEFAULT_BRIDGE_SUBNET });
  const containersRoot = join(cfg.dataRoot, 'containers');
  const events = new EventLog();
  // Declared before the container service exists: a volume is in use while a container's record names it.
  let containerList: () => ReturnType<ContainerService['all']> = () => [];
  const [images, network, store, facts, engineId, runtimeBinary, volumes] = await Promise.all([
    ImageService.open({ root: cfg.dataRoot, log: log.child({ module: 'image' }), events }),
    NetworkService.open({
      root: join(cfg.dataRoot, 'networks'), execRoot: cfg.execRoot, log: log.child({ module: 'network' }),
      bridge: {
        ...(cfg.bridge === 'none' ? { disabled: true } : { name: cfg.bridge }),
        ...bridgeAddressing, icc: cfg.bridgeOptions.icc, ipMasq: cfg.bridgeOptions.ipMasq,
        ...(cfg.bridgeOptions.mtu ? { mtu: cfg.bridgeOptions.mtu } : {}),
      },
      ...(cfg.bridgeOptions.defaultAddressPools ? { addressPools: cfg.bridgeOptions.defaultAddressPools } : {}),
      ports: { defaultHostIp: cfg.bridgeOptions.ip, userlandProxy: cfg.bridgeOptions.userlandProxy }, iptables: cfg.bridgeOptions.iptables,
      ipForward: cfg.bridgeOptions.ipForward,
      netnsPool: 2, events,
    }),
    ContainerStore.open(containersRoot, log.child({ module: 'store' })),
    hostSpecFacts({ host }),
    engineIdentity(cfg.dataRoot),
    bindRuntimeReadOnly({ name: runtime.name, path: runtime.path, execRoot: cfg.execRoot, log }),
    VolumeService.open({
      root: cfg.dataRoot, log: log.child({ module: 'volume' }), events,
      usersOf: (name) => containerList().filter((c) => usesVolume(c, name)).map((c) => c.id),
    }),
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
    releasePorts: (id) => network.releasePorts(id),
    allowLinks: (id, o) => network.allowLinks(id, o),
    hostsFile: (o) => network.hostsFile(o),
    resolvConf: (o) => network.resolvConf(o),
    validateMode: (m) => network.validateMode(m),
    attachments: (id) => network.attachments(id),
    sandboxPath: (id) => network.sandboxPath(id),
    network: (n) => network.get(n),
    connect: (o) => network.connect(o),
    disconnect: (o) => network.disconnect(o),
  };
  const snapshotter = new OverlaySnapshotter({ root: cfg.dataRoot, layers: images });
  const defaultRuntime = containerRuntime({ runtime: { ...runtime, path: runtimeBinary.path }, execRoot: cfg.execRoot, log: log.child({ module: 'runtime' }), hostCapabilities: facts.hostCapabilities });
  const containers = new ContainerService({
    store, images, network: attacher, log: log.child({ module: 'container' }),
    rootfs: snapshotRootfs({ snapshotter }),
    runtime: runtimeSet({
      default: defaultRuntime,
      others: otherRuntimes.map((r, i) => containerRuntime({ runtime: { ...r, path: otherBinaries[i]!.path }, execRoot: cfg.execRoot, log: log.child({ module: 'runtime' }), hostCapabilities: facts.hostCapabilities })),
    }),
    spec: specFactory(facts),
    logs: logReader,
    hostCpus: { count: host.cpuCount, ...(host.cpuset ? { cpuset: host.cpuset } : {}) },
    cgroupFeatures: { blkioWeight: await blkioWeightSupported() },
    events, volumes,
    files: { images: imageCommitter(images) },
  });
  containerList = () => containers.all();
  // What a crash left behind that belongs to no running (mounts, endpoints) or existing (layer holds) container goes.
  await containers.recover({
    restart: !cfg.cleanup,
    sweep: async ({ running, known }) => {
      const sweepLog = log.child({ module: 'recovery' });
      await Promise.all([
        network.reclaim(running),
        snapshotter.reclaimMounts({ keep: running, onUnmount: (path) => sweepLog.info('unmounting the rootfs of a container that does not run', { path }) }),
        images.reclaimHolds(known).then((layers) => { if (layers.length) sweepLog.info('released the layers of removed containers', { layers }); }),
        defaultRuntime.sweepExecs(),
      ]);
    },
  });

  const router = new Router();
  systemRoutes(router, {
    apiVersion: API_VERSION,
    experimental: cfg.experimental,
    version: () => versionInfo({ experimental: cfg.experimental }),
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
        registry: cfg.registry, experimental: cfg.experimental,
        ...(cfg.bridgeOptions.defaultAddressPools ? { addressPools: cfg.bridgeOptions.defaultAddressPools } : {}),
      });
    },
  });
  containerRoutes(router, containers, {
    rootfsDir: (id) => containerPaths(containersRoot, id).merged,
    upperDir: (id) => containerPaths(containersRoot, id).upper,
    workDir: (id) => containerPaths(containersRoot, id).work,
    imageSize: (imageId) => images.get(imageId).size,
  }, { experimental: cfg.experimental });
  const registry = new RegistryClient(images, cfg.registry, events);
  // One transfer mode for the whole daemon: pulls, pushes and builds count against the same switch.
  const heap = new HeapMode();
  const distribution = distributionBackend(registry, images, heap);
  imageRoutes(router, images, {
    containerUsing: (id) => containers.imageUser(id),
    containerCount: (id) => containers.all().filter((c) => c.imageId === id).length,
    settled: () => containers.settled(),
  }, fetchUrl, (ctx) => pullReply(distribution, ctx));
  distributionRoutes(router, distribution);
  statsRoutes(router, { get: (ref) => containers.get(ref), stats: (rec) => containers.stats(rec), hostMemory: totalmem() });
  containerUpdateRoutes(router, containers);
  const builder = await openBuilder({
    dataRoot: cfg.dataRoot, cacheMountsRoot: join(cfg.dataRoot, 'builder', 'cache-mounts'), scratchRoot: join(cfg.dataRoot, 'builder', 'tmp'), containers, images, snapshotter,
    pull: (ref, opts) => registry.pull(ref, opts),
    heap,
  });
  systemDfRoutes(router, {
    images: async ({ all }) => (await images.list({ all })).map((img) => ({ ...img, chainIds: images.inspect(img.id).chainIds })),
    layerSize: (chainId) => images.layer(chainId)?.size ?? 0,
    imageSize: (imageId) => images.get(imageId).size,
    containers: () => containers.all(),
    sizeRw: (rec) => containers.sizeRw(rec),
    volumes: {
      usage: async () => (await volumes.usage()).map((u) => ({ ...toVolume(volumes.get(u.name)), UsageData: { Size: u.size, RefCount: u.refCount } })),
    },
    buildCache: () => builder.usage(),
  });
  execRoutes(router, containers);
  topRoutes(router, containers);
  networkRoutes(router, network, containers);
  volumeRoutes(router, volumes);
  swarmRoutes(router);
  eventRoutes(router, events);
  buildRoutes(router, builder);
  containerFileRoutes(router, containers.files);
  checkpointRoutes(router, containers.files, { experimental: cfg.experimental });

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
      const steps = [() => api.close(), async () => registry.close(), () => containers.settled(), () => network.close(), () => runtimeBinary.release(), async () => { await Promise.all(otherBinaries.map((b) => b.release())); }, () => releasePidfile()];
      for (const step of steps) await step().catch((e: unknown) => { failure ??= e; });
      if (failure) throw failure;
      log.info('berthd stopped; containers keep running');
    },
  };
}

/** The builder: its step cache and context scratch space under `<data-root>/builder`. */
async function openBuilder(d: Parameters<typeof buildEngine>[0] & { dataRoot: string; heap: HeapMode }) {
  const tmpRoot = d.scratchRoot;
  // Contexts (and the writable views of RUN --mount=type=bind,rw) of builds a crash interrupted.
  for (const m of await mountPointsUnder(tmpRoot)) await unmount(m, { lazy: true });
  await rm(tmpRoot, { recursive: true, force: true });
  await mkdir(tmpRoot, { recursive: true, mode: 0o700 });
  await mkdir(d.cacheMountsRoot, { recursive: true, mode: 0o700 });
  const cache = await BuildCacheStore.open({
    dir: join(d.dataRoot, 'builder', 'cache'),
    imageExists: (id) => { try { d.images.get(id); return true; } catch { return false; } },
  });
  const service = new BuildService({ engine: buildEngine(d), cache, tmpRoot, fetchRemote: (url, signal) => fetchUrl(url, signal ?? new AbortController().signal) });
  return {
    // A build moves its context and layers through the daemon: it runs in transfer mode.
    build: (req: Parameters<BuildService['build']>[0]) => d.heap.during(service.build(req)),
    prune: (opts: { all: boolean; keepStorage: number; filters: Filters }) => pruneBuildCache(cache, d.images, { ...opts, inUse: (id) => d.containers.imageUser(id) }),
    usage: () => buildCacheUsage(cache, d.images),
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
