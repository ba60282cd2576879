import { mkdir, writeFile } from 'node:fs/promises';
import { constants as osConstants, hostname as osHostname } from 'node:os';
import type { Readable } from 'node:stream';
import {
  ConflictError, InvalidArgumentError, NotImplementedError, NotModifiedError, matchFilterPattern, matchLabels, newId, setLongTimeout, shortId, type Filters, type Logger,
} from '../base/index.js';
import { ZERO_TIME, hasProcess, isUp, type ContainerDeclaration, type ContainerRecord, type HostConfig } from './config.js';
import { commandLine, mergeImageConfig, normalizeConfig, normalizeHostConfig, refuseUnsupported, validateHostConfig } from './declaration.js';
import { KeyedMutex, parseTimeValue } from '../base/index.js';
import { isValidName, randomName } from './names.js';
import type { AttachStreams, ContainerRuntime, EventSink, ImageLookup, LogEntry, LogReader, NetworkAttacher, RootfsProvider, SpecFactory } from './ports.js';
import { nextRestartDelay, shouldRestart } from './restart-policy.js';
import { parseSecurityOpts } from './security-opts.js';
import { validateCpuResources, type HostCpus } from './resource-checks.js';
import { startFailureExitCode } from '../runtime/index.js';
import type { ContainerStore } from './store.js';
import { Waiters, type WaitCondition, type WaitResult } from './waiters.js';

export interface ContainerServiceDeps {
  store: ContainerStore;
  images: ImageLookup;
  rootfs: RootfsProvider;
  network: NetworkAttacher;
  runtime: ContainerRuntime;
  spec: SpecFactory;
  logs: LogReader;
  log: Logger;
  /** The host's CPUs, for dockerd's create-time checks of --cpus and --cpuset-*. */
  hostCpus: HostCpus;
  /** Where the container's transitions are reported (Docker's events). */
  events?: EventSink;
}

export interface CreateRequest {
  name?: string;
  config: Partial<ContainerDeclaration>;
  hostConfig?: Partial<HostConfig>;
}

const DEFAULT_STOP_TIMEOUT_S = 10;
/** Exit code dockerd records when it cannot know the real one. */
const EXIT_UNKNOWN = 255;

/** Containers: create, run, stop and remove them; follow their exits; apply restart policies. */
export class ContainerService {
  private readonly mutex = new KeyedMutex();
  private readonly waiters = new Waiters();
  private readonly restartTimers = new Map<string, { timer: NodeJS.Timeout; delay: number }>();
  private readonly restartDelay = new Map<string, number>();
  /** Removals whose runtime, rootfs and record are still being torn down. */
  private readonly teardowns = new Set<Promise<void>>();
  /** Attach requests for a container that is not running yet: served after `runc create`, before `runc start`. */
  private readonly pendingAttach = new Map<string, Array<{ stdin: boolean; resolve: (s: AttachStreams) => void; reject: (e: unknown) => void }>>();
  private stopWatching: (() => void) | undefined;
  private shuttingDown = false;

  constructor(private readonly d: ContainerServiceDeps) {}

  get(ref: string): ContainerRecord {
    return this.d.store.get(ref);
  }

  all(): ContainerRecord[] {
    return this.d.store.all();
  }

  logPath(rec: ContainerRecord): string {
    return this.d.store.paths(rec.id).log;
  }

  filePath(rec: ContainerRecord, file: 'hostname' | 'hosts' | 'resolv.conf'): string {
    const p = this.d.store.paths(rec.id);
    return file === 'resolv.conf' ? p.resolvConf : p[file];
  }

  // ---- create -------------------------------------------------------------

  async create(req: CreateRequest): Promise<{ id: string; warnings: string[] }> {
    const hostConfig = normalizeHostConfig(req.hostConfig);
    validateHostConfig(hostConfig);
    validateCpuResources(hostConfig, this.d.hostCpus);
    refuseUnsupported(hostConfig, { runtimes: this.d.runtime.names });
    parseSecurityOpts(hostConfig.SecurityOpt, { decodeProfile: false });
    if (req.config.Healthcheck && (req.config.Healthcheck as { Test?: string[] }).Test?.[0] !== 'NONE') {
      throw new NotImplementedError('berth does not run health checks yet (--health-*)');
    }
    let config = normalizeConfig(req.config);
    if (!config.Image) throw new InvalidArgumentError('invalid reference format');
    this.d.network.validateMode(hostConfig.NetworkMode);
    const image = this.d.images.get(config.Image);
    config = mergeImageConfig(config, image.config.config);
    const { path, args } = commandLine(config);

    const id = newId();
    if (!config.Hostname) config.Hostname = hostConfig.NetworkMode === 'host' ? '' : shortId(id);
    const name = this.chooseName(req.name, id);
    try {
      await mkdir(this.d.store.dir(id), { recursive: true });
      await this.d.rootfs.create({ id, imageId: image.id });
      const rec: ContainerRecord = {
        id, name, created: new Date().toISOString(), imageId: image.id, path, args, config, hostConfig,
        state: { status: 'created', pid: 0, exitCode: 0, error: '', oomKilled: false, startedAt: ZERO_TIME, finishedAt: ZERO_TIME },
        restartCount: 0, manuallyStopped: false, runtime: hostConfig.Runtime || this.d.runtime.name,
      };
      await this.d.store.save(rec);
      this.event(rec, 'create');
      return { id, warnings: [] };
    } catch (e) {
      this.d.store.releaseName(name, id);
      await this.d.rootfs.remove(id).catch(() => {});
      await this.d.store.delete({ id, name } as ContainerRecord).catch(() => {});
      throw e;
    }
  }

  private chooseName(requested: string | undefined, id: string): string {
    if (requested) {
      const name = requested.startsWith('/') ? requested.slice(1) : requested;
      if (!isValidName(name)) throw new InvalidArgumentError(`Invalid container name (${requested}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      this.d.store.reserveName(name, id);
      return name;
    }
    for (let attempt = 0; ; attempt++) {
      const name = randomName(attempt > 5 ? attempt : 0);
      if (!this.d.store.nameOwner(name)) {
        this.d.store.reserveName(name, id);
        return name;
      }
    }
  }

  // ---- start --------------------------------------------------------------

  async start(ref: string): Promise<void> {
    const rec = this.d.store.get(ref);
    await this.mutex.run(rec.id, async () => {
      if (rec.state.status === 'running') throw new NotModifiedError('container is already running');
      if (rec.state.status === 'paused') throw new ConflictError('cannot start a paused container, try unpause instead');
      if (rec.state.status === 'removing' || rec.state.status === 'dead') throw new ConflictError('container is marked for removal and cannot be started');
      this.cancelRestart(rec.id);
      rec.manuallyStopped = false;
      await this.startLocked(rec);
    });
  }

  private async startLocked(rec: ContainerRecord): Promise<void> {
    try {
      await this.launch(rec);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      rec.state = { ...rec.state, status: rec.state.status === 'restarting' ? 'exited' : rec.state.status, pid: 0, error: msg, exitCode: startFailureExitCode(msg) };
      await this.cleanupRuntime(rec);
      await this.d.store.save(rec).catch(() => {});
      if (rec.hostConfig.AutoRemove) void this.remove(rec.id, { force: true }).catch(() => {});
      throw e;
    }
  }

  private async launch(rec: ContainerRecord): Promise<void> {
    const t0 = performance.now();
    const mark = (step: string): void => this.d.log.debug('start step', { id: rec.id.slice(0, 12), step, ms: Math.round(performance.now() - t0) });
    const mode = this.d.network.validateMode(rec.hostConfig.NetworkMode);
    // The rootfs mount and the namespace are independent: make both at once.
    const [rootfs, net] = await Promise.all([
      this.d.rootfs.mount({ id: rec.id, imageId: rec.imageId }).finally(() => mark('mounted')),
      this.d.network.attach({ containerId: rec.id, containerName: rec.name, mode, ...(rec.config.MacAddress ? { macAddress: rec.config.MacAddress } : {}) }),
    ]);
    const user = await this.d.spec.resolveUser(rootfs, rec.config.User);
    this.d.spec.setupWorkingDir(rootfs, rec.config.WorkingDir);
    mark('network');
    rec.network = net.endpoint;
    const hostname = rec.config.Hostname || osHostname();
    const files = {
      hostname: this.filePath(rec, 'hostname'),
      hosts: this.filePath(rec, 'hosts'),
      resolvConf: this.filePath(rec, 'resolv.conf'),
    };
    await Promise.all([
      writeFile(files.hostname, `${hostname}\n`),
      writeFile(files.hosts, this.d.network.hostsFile({
        hostname, domainname: rec.config.Domainname, mode, extraHosts: rec.hostConfig.ExtraHosts ?? [],
        ...(net.endpoint.ipAddress ? { ip: net.endpoint.ipAddress } : {}),
      })),
      writeFile(files.resolvConf, this.d.network.resolvConf({
        mode, dns: rec.hostConfig.Dns ?? [], dnsSearch: rec.hostConfig.DnsSearch ?? [], dnsOptions: rec.hostConfig.DnsOptions ?? [],
      })),
    ]);
    // The spec builder adds Docker's PATH, HOSTNAME and TERM defaults; HOME comes from the user.
    const env = rec.config.Env.some((e) => e.startsWith('HOME=')) ? rec.config.Env : [...rec.config.Env, `HOME=${user.home || '/'}`];
    const h = rec.hostConfig;
    const spec = this.d.spec.buildSpec({
      id: rec.id, rootfs, readonlyRootfs: h.ReadonlyRootfs, args: [rec.path, ...rec.args], env,
      cwd: rec.config.WorkingDir || '/', user, tty: rec.config.Tty, openStdin: rec.config.OpenStdin,
      hostname, domainname: rec.config.Domainname, files,
      network: { mode, ...(net.netnsPath ? { path: net.netnsPath } : {}) },
      resources: {
        memory: h.Memory || undefined, memorySwap: h.MemorySwap || undefined, nanoCpus: h.NanoCpus || undefined,
        cpuShares: h.CpuShares || undefined, cpuQuota: h.CpuQuota || undefined, cpuPeriod: h.CpuPeriod || undefined,
        cpusetCpus: h.CpusetCpus || undefined, cpusetMems: h.CpusetMems || undefined,
        pidsLimit: h.PidsLimit && h.PidsLimit > 0 ? h.PidsLimit : undefined,
      },
      ulimits: (h.Ulimits ?? []).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard })),
      privileged: h.Privileged, capAdd: h.CapAdd ?? [], capDrop: h.CapDrop ?? [], init: Boolean(h.Init),
      shmSize: h.ShmSize ?? 64 * 1024 * 1024,
      ...parseSecurityOpts(h.SecurityOpt, { decodeProfile: true }),
      ...(typeof h.OomScoreAdj === 'number' && h.OomScoreAdj !== 0 ? { oomScoreAdj: h.OomScoreAdj } : {}),
    });
    // netavark wires the namespace while runc creates the container; both must finish before start.
    mark('spec');
    const [{ pid }] = await Promise.all([
      this.d.runtime.create({
        id: rec.id, name: rec.name, spec, logPath: this.logPath(rec), tty: rec.config.Tty, stdin: rec.config.OpenStdin, stdinOnce: rec.config.StdinOnce,
        runtime: rec.runtime,
      }).finally(() => mark('runtime-created')),
      net.ready.finally(() => mark('network-ready')),
    ]);
    mark('created');
    await this.servePendingAttach(rec.id);
    await this.d.runtime.start(rec.id);
    mark('started');
    rec.state = { status: 'running', pid, exitCode: 0, error: '', oomKilled: false, startedAt: new Date().toISOString(), finishedAt: rec.state.finishedAt };
    await this.d.store.save(rec);
    this.event(rec, 'start');
  }

  // ---- exits and restarts -------------------------------------------------

  /**
   * Follow conmon's exit files; recover what happened while the daemon was away. Every record is
   * reconciled with the runtime's and conmon's state, whatever it says: a crash can land between
   * the runtime's start and the record's "running", or between the rootfs mount, the network
   * attach and the runtime's create. Containers that do not run lose their runtime state, rootfs
   * mount and endpoint; auto-remove ones that do not run are removed, as dockerd does at restore.
   * `sweep` runs once the records are settled and before restart policies start anything: it is
   * told which containers run and which exist, to reclaim what belongs to none of them.
   * `restart: false` starts nothing by restart policy (a daemon that only cleans up).
   */
  async recover(opts: { sweep?: (containers: { running: ReadonlySet<string>; known: ReadonlySet<string> }) => Promise<void>; restart?: boolean } = {}): Promise<void> {
    this.stopWatching = this.d.runtime.watchExits((id) => void this.onExit(id));
    const toStart: ContainerRecord[] = [];
    await Promise.all(this.d.store.all().map(async (rec) => {
      try {
        if (await this.reconcile(rec)) toStart.push(rec);
      } catch (e) {
        this.d.log.warn('cannot recover container', { id: rec.id, error: String(e) });
      }
    }));
    if (opts.sweep) {
      const all = this.d.store.all();
      await opts.sweep({ running: new Set(all.filter((r) => hasProcess(r.state)).map((r) => r.id)), known: new Set(all.map((r) => r.id)) })
        .catch((e: unknown) => this.d.log.warn('start-up sweep failed', { error: String(e) }));
    }
    for (const rec of opts.restart === false ? [] : toStart) {
      void this.mutex.run(rec.id, () => this.startLocked(rec)).catch((e) => this.d.log.warn('restart at daemon start failed', { id: rec.id, error: String(e) }));
    }
  }

  /** Bring one record in line with the runtime at daemon start; true when its restart policy starts it again. */
  private async reconcile(rec: ContainerRecord): Promise<boolean> {
    if (rec.state.status === 'removing') {
      await this.removeLocked(rec, { wait: true }).catch((e) => this.d.log.warn('cannot finish removal', { id: rec.id, error: String(e) }));
      return false;
    }
    const rt = (await this.d.runtime.isAlive(rec.id)) ? await this.d.runtime.state(rec.id) : undefined;
    if (rt && (rt.status === 'running' || rt.status === 'paused')) {
      if (rec.state.status === rt.status && rec.state.pid === rt.pid) return false;
      // The process was started but the record's "running" never landed.
      this.d.log.info('container runs although its record said otherwise', { id: rec.id, record: rec.state.status, runtime: rt.status });
      rec.state = {
        status: rt.status, pid: rt.pid, exitCode: 0, error: '', oomKilled: false,
        startedAt: (rt.startedAt ?? new Date()).toISOString(), finishedAt: rec.state.finishedAt,
      };
      await this.d.store.save(rec);
      // An exit between the runtime's answer and the save found a record without a process and
      // was ignored: then it is handled below like any exit the daemon missed.
      if (!(await this.d.runtime.exitStatus(rec.id))) return false;
    }
    if (hasProcess(rec.state)) {
      await this.onExit(rec.id, { daemonStarting: true });
    } else {
      const exit = await this.d.runtime.exitStatus(rec.id);
      if (exit && rec.state.status === 'created') {
        // It ran and exited, and the record never learnt it was started.
        const finishedAt = exit.finishedAt.toISOString();
        rec.state = {
          ...rec.state, status: 'exited', pid: 0, exitCode: exit.exitCode,
          startedAt: rt?.startedAt?.toISOString() ?? finishedAt, finishedAt,
        };
        this.waiters.exited(rec.id, exit.exitCode);
      }
      // A start the crash cut short: its runtime state, rootfs mount and endpoint go.
      await this.cleanupRuntime(rec);
      if (exit) await this.d.store.save(rec);
    }
    if (rec.hostConfig.AutoRemove) {
      await this.mutex.run(rec.id, () => this.removeLocked(rec, { wait: true })).catch((e) => this.d.log.warn('auto-remove after restart failed', { id: rec.id, error: String(e) }));
      return false;
    }
    return (rec.state.status === 'restarting' || rec.restartCount > 0 || rec.state.startedAt !== ZERO_TIME) && shouldRestart(rec, { exitCode: rec.state.exitCode, daemonStarting: true });
  }

  private async onExit(id: string, opts: { daemonStarting?: boolean } = {}): Promise<void> {
    const rec = this.d.store.find(id);
    if (!rec) return;
    await this.mutex.run(id, async () => {
      if (!hasProcess(rec.state)) return;
      const status = await this.d.runtime.exitStatus(id);
      const ranFor = Date.now() - Date.parse(rec.state.startedAt);
      rec.state = {
        ...rec.state, status: 'exited', pid: 0,
        exitCode: status?.exitCode ?? EXIT_UNKNOWN, oomKilled: status?.oomKilled ?? false,
        finishedAt: (status?.finishedAt ?? new Date()).toISOString(),
      };
      const live = !opts.daemonStarting;
      const restart = live && !this.shuttingDown && shouldRestart(rec, { exitCode: rec.state.exitCode });
      if (restart) rec.state.status = 'restarting';
      // Waiters learn of the exit at once; tearing down the runtime does not change the answer.
      this.waiters.exited(id, rec.state.exitCode);
      if (rec.state.oomKilled) this.event(rec, 'oom');
      this.event(rec, 'die', { exitCode: String(rec.state.exitCode), execDuration: String(Math.max(0, Math.floor(ranFor / 1000))) });
      if (live && rec.hostConfig.AutoRemove) {
        await this.removeLocked(rec, { exited: true });
        return;
      }
      await this.cleanupRuntime(rec);
      await this.d.store.save(rec);
      if (restart) this.scheduleRestart(rec, ranFor);
    });
  }

  private scheduleRestart(rec: ContainerRecord, ranForMs: number): void {
    const delay = nextRestartDelay(this.restartDelay.get(rec.id) ?? 0, ranForMs);
    this.restartDelay.set(rec.id, delay);
    const timer = setTimeout(() => {
      this.restartTimers.delete(rec.id);
      void this.mutex.run(rec.id, async () => {
        if (rec.state.status !== 'restarting') return;
        rec.restartCount++;
        await this.startLocked(rec);
      }).catch((e) => this.d.log.warn('restart failed', { id: rec.id, error: String(e) }));
    }, delay);
    timer.unref();
    this.restartTimers.set(rec.id, { timer, delay });
  }

  private cancelRestart(id: string): void {
    const t = this.restartTimers.get(id);
    if (t) clearTimeout(t.timer);
    this.restartTimers.delete(id);
  }

  /**
   * Undo what start set up; the steps are independent and each tolerates having been done
   * already. Network teardown may finish in the background: the network service serializes a
   * later attach of the same container behind it.
   */
  private async cleanupRuntime(rec: ContainerRecord, opts: { networkInBackground?: boolean } = {}): Promise<void> {
    const warn = (e: unknown): void => this.d.log.warn('cleanup step failed', { id: rec.id, error: String(e) });
    const network = this.d.network.detach(rec.id).catch(warn);
    const steps: Array<Promise<unknown>> = [this.d.runtime.delete(rec.id).catch(warn), this.d.rootfs.unmount(rec.id).catch(warn)];
    if (!opts.networkInBackground) steps.push(network);
    await Promise.all(steps);
  }

  // ---- stop, kill, restart -------------------------------------------------

  async stop(ref: string, opts: { timeoutSec?: number; signal?: string } = {}): Promise<void> {
    const rec = this.d.store.get(ref);
    // Decide under the container's lock: a restart whose timer has fired holds it while it starts
    // the process, and an exit takes it to choose whether to restart. Deciding outside could
    // start again a container that was just stopped.
    const running = await this.mutex.run(rec.id, async () => {
      if (rec.state.status === 'restarting') {
        this.cancelRestart(rec.id);
        rec.manuallyStopped = true;
        rec.state.status = 'exited';
        await this.d.store.save(rec);
        this.event(rec, 'stop');
        return undefined;
      }
      if (!hasProcess(rec.state)) throw new NotModifiedError('container is already stopped');
      const exited = this.waiters.add(rec.id, 'not-running');
      rec.manuallyStopped = true;
      await this.d.store.save(rec);
      return { exited };
    });
    if (!running) return;
    const { exited } = running;
    const timeout = opts.timeoutSec ?? rec.config.StopTimeout ?? DEFAULT_STOP_TIMEOUT_S;
    const signal = opts.signal || rec.config.StopSignal || 'SIGTERM';
    // The event goes first: the exit the signal causes may be seen before the kill returns.
    this.killEvent(rec, signal);
    await this.d.runtime.kill(rec.id, signal).catch(() => {});
    if (timeout >= 0) {
      const timedOut = await Promise.race([exited.then(() => false), delay(timeout * 1000).then(() => true)]);
      if (timedOut) {
        this.killEvent(rec, 'SIGKILL');
        await this.d.runtime.kill(rec.id, 'SIGKILL').catch(() => {});
      }
    }
    await exited;
    this.event(rec, 'stop');
  }

  async kill(ref: string, signal = 'SIGKILL'): Promise<void> {
    const rec = this.d.store.get(ref);
    if (!hasProcess(rec.state)) {
      throw new ConflictError(`Cannot kill container: ${ref}: container ${rec.id} is not running`);
    }
    const sig = normalizeSignal(signal);
    const stopSig = normalizeSignal(rec.config.StopSignal || 'SIGTERM');
    const exited = sig === 'SIGKILL' ? this.waiters.add(rec.id, 'not-running') : undefined;
    if (sig === 'SIGKILL' || sig === stopSig) {
      rec.manuallyStopped = true;
      await this.d.store.save(rec);
    }
    this.killEvent(rec, sig);
    await this.d.runtime.kill(rec.id, sig);
    if (exited) await exited;
  }

  async restart(ref: string, opts: { timeoutSec?: number; signal?: string } = {}): Promise<void> {
    const rec = this.d.store.get(ref);
    if (hasProcess(rec.state)) await this.stop(rec.id, opts);
    this.cancelRestart(rec.id);
    await this.mutex.run(rec.id, async () => {
      if (rec.state.status === 'running') return;
      rec.manuallyStopped = false;
      await this.startLocked(rec);
    });
    this.event(rec, 'restart');
  }

  // ---- wait, remove, rename -------------------------------------------------

  wait(ref: string, condition: WaitCondition = 'not-running', signal?: AbortSignal): Promise<WaitResult> {
    const rec = this.d.store.get(ref);
    if (condition === 'not-running' && !isUp(rec.state)) return Promise.resolve({ StatusCode: rec.state.exitCode });
    return this.waiters.add(rec.id, condition, signal);
  }

  async remove(ref: string, opts: { force?: boolean } = {}): Promise<void> {
    const rec = this.d.store.get(ref);
    if (rec.state.status === 'removing') throw new ConflictError(`removal of container ${ref} is already in progress`);
    if (isUp(rec.state) && !opts.force) {
      throw new ConflictError(`cannot remove container "/${rec.name}": container is ${rec.state.status}: stop the container before removing or force remove`);
    }
    // As in stop(): a restart in flight finishes before we look, and none is scheduled after.
    const running = await this.mutex.run(rec.id, async () => {
      this.cancelRestart(rec.id);
      if (!hasProcess(rec.state)) return undefined;
      rec.manuallyStopped = true;
      return { exited: this.waiters.add(rec.id, 'not-running') };
    });
    if (running) {
      this.killEvent(rec, 'SIGKILL');
      await this.d.runtime.kill(rec.id, 'SIGKILL').catch(() => {});
      await running.exited;
    }
    await this.mutex.run(rec.id, () => this.removeLocked(rec));
  }

  /**
   * Remove a stopped container. `exited`: called from the exit of an auto-remove container, whose
   * exited state was never saved. The container leaves the index (and waiters learn it is gone)
   * as soon as a crash could no longer bring it back half-removed: its record on disk then says
   * "removing", or is an auto-remove container whose process is gone, and recover() finishes
   * either. Runtime, rootfs and record are torn down after that, in the background unless
   * `wait`; settled() waits for those still running.
   */
  private async removeLocked(rec: ContainerRecord, opts: { exited?: boolean; wait?: boolean } = {}): Promise<void> {
    if (!this.d.store.find(rec.id)) return;
    if (!opts.exited) {
      rec.state.status = 'removing';
      await this.d.store.save(rec);
    }
    this.d.store.forget(rec);
    this.restartDelay.delete(rec.id);
    this.waiters.removed(rec.id, rec.state.exitCode);
    this.event(rec, 'destroy');
    const teardown = (async () => {
      await this.cleanupRuntime(rec, { networkInBackground: true });
      await this.d.rootfs.remove(rec.id);
      await this.d.store.delete(rec);
    })();
    this.teardowns.add(teardown);
    void teardown.finally(() => this.teardowns.delete(teardown)).catch((e: unknown) => {
      this.d.log.warn('removal left files behind; the next daemon start finishes it', { id: rec.id, error: String(e) });
    });
    if (opts.wait) await teardown;
  }

  /** Resolves once every removal's teardown has finished (rmi and prune count on freed layers). */
  async settled(): Promise<void> {
    while (this.teardowns.size) await Promise.allSettled([...this.teardowns]);
  }

  async rename(ref: string, newName: string): Promise<void> {
    const rec = this.d.store.get(ref);
    const name = newName.startsWith('/') ? newName.slice(1) : newName;
    if (!name) throw new InvalidArgumentError('Neither old nor new names may be empty');
    if (!isValidName(name)) throw new InvalidArgumentError(`Invalid container name (${newName}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    if (name === rec.name) throw new InvalidArgumentError('Renaming a container with the same name as its current name');
    this.d.store.reserveName(name, rec.id);
    const old = rec.name;
    rec.name = name;
    try {
      await this.d.store.save(rec);
    } catch (e) {
      rec.name = old;
      this.d.store.releaseName(name, rec.id);
      throw e;
    }
    this.d.store.releaseName(old, rec.id);
    this.event(rec, 'rename', { oldName: old });
  }

  // ---- list, prune, logs, attach, export ----------------------------------------

  list(opts: { all?: boolean; limit?: number; latest?: boolean; filters?: Filters }): ContainerRecord[] {
    const f = opts.filters ?? new Map();
    let recs = this.d.store.all().sort((a, b) => b.created.localeCompare(a.created));
    const before = f.get('before');
    const since = f.get('since');
    const cut = (set: Set<string> | undefined): string | undefined => (set && set.size ? this.d.store.get([...set][0]!).created : undefined);
    const beforeAt = cut(before);
    const sinceAt = cut(since);
    recs = recs.filter((r) => {
      if (!opts.all && !opts.limit && !opts.latest && !f.has('status') && !f.has('exited') && !isUp(r.state)) return false;
      if (beforeAt && r.created >= beforeAt) return false;
      if (sinceAt && r.created <= sinceAt) return false;
      if (!matchAny(f.get('id'), (v) => r.id.startsWith(v))) return false;
      if (!matchAny(f.get('name'), (v) => matchFilterPattern(v, `/${r.name}`))) return false;
      if (!matchAny(f.get('status'), (v) => v === r.state.status)) return false;
      if (!matchAny(f.get('exited'), (v) => r.state.status === 'exited' && String(r.state.exitCode) === v)) return false;
      if (!matchAny(f.get('ancestor'), (v) => this.isAncestor(r, v))) return false;
      if (!matchAny(f.get('network'), (v) => r.hostConfig.NetworkMode === v || r.network?.networkId === v)) return false;
      if (!matchLabels(r.config.Labels, f.get('label'))) return false;
      return true;
    });
    if (opts.latest) return recs.slice(0, 1);
    if (opts.limit && opts.limit > 0) return recs.slice(0, opts.limit);
    return recs;
  }

  private isAncestor(r: ContainerRecord, ref: string): boolean {
    if (r.config.Image === ref) return true;
    try {
      return this.d.images.get(ref).id === r.imageId;
    } catch {
      return false;
    }
  }

  /** A container using the image, running ones first. */
  imageUser(imageId: string): { id: string; running: boolean } | undefined {
    const users = this.d.store.all().filter((r) => r.imageId === imageId);
    const running = users.find((r) => isUp(r.state));
    const rec = running ?? users[0];
    return rec ? { id: rec.id, running: rec === running } : undefined;
  }

  async prune(filters: Filters): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    const until = [...(filters.get('until') ?? [])][0];
    const untilMs = until ? parseTimeValue(until) : undefined;
    const deleted: string[] = [];
    let space = 0;
    for (const r of this.d.store.all()) {
      if (r.state.status !== 'exited' && r.state.status !== 'created' && r.state.status !== 'dead') continue;
      if (!matchLabels(r.config.Labels, filters.get('label'))) continue;
      if (untilMs !== undefined && Date.parse(r.created) >= untilMs) continue;
      space += await this.d.rootfs.sizeRw(r.id).catch(() => 0);
      await this.remove(r.id).then(() => deleted.push(r.id), (e) => this.d.log.warn('prune: cannot remove', { id: r.id, error: String(e) }));
    }
    this.d.events?.publish({ type: 'container', action: 'prune', actor: { id: '', attributes: { reclaimed: String(space) } } });
    return { deleted, spaceReclaimed: space };
  }

  sizeRw(rec: ContainerRecord): Promise<number> {
    return this.d.rootfs.sizeRw(rec.id);
  }

  logs(ref: string, opts: { follow: boolean; since?: Date; until?: Date; tail?: number; stdout: boolean; stderr: boolean; signal?: AbortSignal }): AsyncIterable<LogEntry> {
    const rec = this.d.store.get(ref);
    const running = isUp(rec.state);
    const stopWhen = opts.follow && running ? this.waiters.add(rec.id, 'not-running', opts.signal).then(() => {}, () => {}) : Promise.resolve();
    return this.d.logs.read(this.logPath(rec), { ...opts, follow: opts.follow && running, stopWhen });
  }

  /**
   * Streams of a running container now, or of a stopped one at its next start (so that
   * `docker run` sees output from the first byte).
   */
  async attach(ref: string, opts: { stdin: boolean; signal?: AbortSignal }): Promise<{ rec: ContainerRecord; streams: AttachStreams }> {
    const rec = this.d.store.get(ref);
    if (rec.state.status === 'running') {
      const streams = await this.d.runtime.attach(rec.id, opts);
      this.event(rec, 'attach');
      return { rec, streams };
    }
    if (rec.state.status === 'paused' || rec.state.status === 'removing' || rec.state.status === 'dead') {
      throw new ConflictError(`You cannot attach to a ${rec.state.status} container, start it first`);
    }
    this.event(rec, 'attach');
    const streams = await new Promise<AttachStreams>((resolve, reject) => {
      const list = this.pendingAttach.get(rec.id) ?? [];
      const entry = { stdin: opts.stdin, resolve, reject };
      list.push(entry);
      this.pendingAttach.set(rec.id, list);
      opts.signal?.addEventListener('abort', () => {
        const l = this.pendingAttach.get(rec.id);
        if (l) l.splice(l.indexOf(entry), 1);
        reject(opts.signal!.reason);
      }, { once: true });
    });
    return { rec, streams };
  }

  private async servePendingAttach(id: string): Promise<void> {
    const list = this.pendingAttach.get(id);
    if (!list) return;
    this.pendingAttach.delete(id);
    await Promise.all(list.map(async (p) => {
      try {
        p.resolve(await this.d.runtime.attach(id, { stdin: p.stdin }));
      } catch (e) {
        p.reject(e);
      }
    }));
  }

  async resize(ref: string, size: { height: number; width: number }): Promise<void> {
    const rec = this.d.store.get(ref);
    if (rec.state.status !== 'running') throw new ConflictError(`Container ${rec.id} is not running`);
    await this.d.runtime.resize(rec.id, size);
    this.event(rec, 'resize', { height: String(size.height), width: String(size.width) });
  }

  async export(ref: string): Promise<Readable> {
    const rec = this.d.store.get(ref);
    const running = rec.state.status === 'running';
    const root = await this.d.rootfs.mount({ id: rec.id, imageId: rec.imageId });
    const tar = this.d.rootfs.exportTar(root);
    this.event(rec, 'export');
    if (!running) {
      tar.once('close', () => {
        void this.mutex.run(rec.id, async () => {
          if (rec.state.status !== 'running') await this.d.rootfs.unmount(rec.id).catch(() => {});
        });
      });
    }
    return tar;
  }

  /**
   * Report a transition as dockerd does: `extra` attributes, the container's labels over them,
   * then its image (as it was asked for) and name.
   */
  private event(rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.d.events?.publish({ type: 'container', action, actor: { id: rec.id, attributes: { ...extra, ...rec.config.Labels, image: rec.config.Image, name: rec.name } } });
  }

  /** dockerd names the signal of a kill by its number. */
  private killEvent(rec: ContainerRecord, signal: string): void {
    const sig = normalizeSignal(signal);
    const num = /^\d+$/.test(sig) ? sig : osConstants.signals[sig as keyof typeof osConstants.signals];
    this.event(rec, 'kill', { signal: String(num ?? sig) });
  }

  /** Stop following exits; containers keep running under conmon. */
  shutdown(): void {
    this.shuttingDown = true;
    this.stopWatching?.();
    for (const t of this.restartTimers.values()) clearTimeout(t.timer);
  }
}

function matchAny(values: Set<string> | undefined, pred: (v: string) => boolean): boolean {
  if (!values || values.size === 0) return true;
  for (const v of values) if (pred(v)) return true;
  return false;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => { setLongTimeout(r, ms, { unref: true }); });
}

function normalizeSignal(s: string): string {
  const up = s.toUpperCase();
  if (/^\d+$/.test(up)) return up;
  return up.startsWith('SIG') ? up : `SIG${up}`;
}
