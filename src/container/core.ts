import { constants as osConstants } from 'node:os';
import { KeyedMutex, setLongTimeout, type Logger } from '../base/index.js';
import type { ContainerRecord } from './config.js';
import type { AttachStreams, ContainerRuntime, EventSink, ImageLookup, LogReader, NetworkAttacher, RootfsProvider, SpecFactory, VolumeProvider } from './ports.js';
import type { HostCpus } from './resource-checks.js';
import type { MountSources } from './archive.js';
import type { ImageCommitter } from './commit.js';
import { ExecStore } from './exec-store.js';
import type { ContainerStore } from './store.js';
import { Waiters } from './waiters.js';

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
  /** What the host's cgroups can apply beyond the usual limits (docker update, create). */
  cgroupFeatures?: { blkioWeight: boolean };
  /** Where the container's transitions are reported (Docker's events). */
  events?: EventSink;
  /** commit's image operation, and the host directories behind containers' mounts (cp): see files.ts. */
  files?: { images?: ImageCommitter; mounts?: MountSources };
  /** Named and anonymous volumes; without it a container that declares a volume is refused. */
  volumes?: VolumeProvider;
}

/** An attach request for a container that is not running yet (see io.ts). */
export interface PendingAttach {
  stdin: boolean;
  resolve: (s: AttachStreams) => void;
  reject: (e: unknown) => void;
}

/**
 * What the container service's verbs share: the ports, the per-container lock, the waiters, the
 * restart timers and the removals in flight. Each verb file (lifecycle, supervision, removal, io,
 * queries) is a set of functions over one of these; ContainerService is the facade.
 */
export class ContainerCore {
  readonly mutex = new KeyedMutex();
  readonly waiters = new Waiters();
  readonly restartTimers = new Map<string, { timer: NodeJS.Timeout; delay: number }>();
  readonly restartDelay = new Map<string, number>();
  /** Removals whose runtime, rootfs and record are still being torn down. */
  readonly teardowns = new Set<Promise<void>>();
  /** Attach requests for a container that is not running yet: served after `runc create`, before `runc start`. */
  readonly pendingAttach = new Map<string, PendingAttach[]>();
  /** Exec instances (docker exec and health probes). */
  readonly execs = new ExecStore();
  /** Told when a container's process has started, and when it has ended (health checks follow them). */
  readonly started: Array<(rec: ContainerRecord) => void> = [];
  readonly ended: Array<(rec: ContainerRecord) => void> = [];
  /** The volumes each started container holds mounted (released once by cleanupRuntime). */
  readonly volumeMounts = new Map<string, string[]>();
  stopWatching: (() => void) | undefined;
  shuttingDown = false;

  constructor(readonly d: ContainerServiceDeps) {}

  logPath(rec: ContainerRecord): string {
    return this.d.store.paths(rec.id).log;
  }

  filePath(rec: ContainerRecord, file: 'hostname' | 'hosts' | 'resolv.conf'): string {
    const p = this.d.store.paths(rec.id);
    return file === 'resolv.conf' ? p.resolvConf : p[file];
  }

  cancelRestart(id: string): void {
    const t = this.restartTimers.get(id);
    if (t) clearTimeout(t.timer);
    this.restartTimers.delete(id);
  }

  /**
   * Undo what start set up; the steps are independent and each tolerates having been done
   * already. Network teardown may finish in the background: the network service serializes a
   * later attach of the same container behind it.
   */
  async cleanupRuntime(rec: ContainerRecord, opts: { networkInBackground?: boolean } = {}): Promise<void> {
    const warn = (e: unknown): void => this.d.log.warn('cleanup step failed', { id: rec.id, error: String(e) });
    const network = this.d.network.detach(rec.id).catch(warn);
    const steps: Array<Promise<unknown>> = [this.d.runtime.delete(rec.id).catch(warn), this.d.rootfs.unmount(rec.id).catch(warn), this.releaseVolumes(rec.id).catch(warn)];
    if (!opts.networkInBackground) steps.push(network);
    await Promise.all(steps);
  }

  /** Unmount the volumes a start mounted for the container (each once, however often cleanup runs). */
  async releaseVolumes(id: string): Promise<void> {
    const names = this.volumeMounts.get(id);
    this.volumeMounts.delete(id);
    if (!names || !this.d.volumes) return;
    for (const name of names) await this.d.volumes.unmount(name, { containerId: id });
  }

  /**
   * Report a transition as dockerd does: `extra` attributes, the container's labels over them,
   * then its image (as it was asked for) and name.
   */
  event(rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.d.events?.publish({ type: 'container', action, actor: { id: rec.id, attributes: { ...extra, ...rec.config.Labels, image: rec.config.Image, name: rec.name } } });
  }

  /** dockerd names the signal of a kill by its number. */
  killEvent(rec: ContainerRecord, signal: string): void {
    const sig = normalizeSignal(signal);
    const num = /^\d+$/.test(sig) ? sig : osConstants.signals[sig as keyof typeof osConstants.signals];
    this.event(rec, 'kill', { signal: String(num ?? sig) });
  }
}

export function normalizeSignal(s: string): string {
  const up = s.toUpperCase();
  if (/^\d+$/.test(up)) return up;
  return up.startsWith('SIG') ? up : `SIG${up}`;
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => { setLongTimeout(r, ms, { unref: true }); });
}
