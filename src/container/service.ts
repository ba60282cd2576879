import type { Readable } from 'node:stream';
import type { Filters } from '../base/index.js';
import type { ContainerRecord, EndpointSettings } from './config.js';
import { ContainerCore, type ContainerServiceDeps } from './core.js';
import { ContainerFiles } from './files.js';
import { createExec, execDetached, inspectExec, resizeExec, startExec, type ExecCreateRequest, type StartedExec } from './exec.js';
import type { ExecRecord } from './exec-store.js';
import { HealthMonitor } from './health.js';
import { topContainer, type TopResult } from './top.js';
import { attachContainer, containerLogs, exportContainer, resizeContainer, type LogOptions } from './io.js';
import { createContainer, killContainer, renameContainer, restartContainer, startContainer, stopContainer, type CreateRequest } from './lifecycle.js';
import type { AttachStreams, LogEntry } from './ports.js';
import { connectNetwork, disconnectNetwork } from './network-connect.js';
import { imageUser, listContainers, pruneContainers, waitContainer, type ListOptions } from './queries.js';
import { removeContainer, settled } from './removal.js';
import { pauseContainer, unpauseContainer } from './pause.js';
import { containerStats } from './stats.js';
import { updateContainer, type ContainerUpdate } from './update.js';
import type { CgroupStats } from './ports.js';
import { recover, shutdown, type RecoverOptions } from './supervision.js';
import type { WaitCondition, WaitResult } from './waiters.js';

export type { ContainerServiceDeps } from './core.js';
export type { CreateRequest } from './lifecycle.js';
export type { ContainerUpdate } from './update.js';
export type { ExecCreateRequest, StartedExec } from './exec.js';
export type { ExecConfig, ExecRecord } from './exec-store.js';

/**
 * Containers: create, run, stop and remove them; follow their exits; apply restart policies.
 * A facade over one file per job: lifecycle.ts (create, start, stop, kill, restart, rename),
 * supervision.ts (exits, restart policies, recovery), removal.ts, io.ts (attach, logs, export,
 * resize) and queries.ts (list, wait, prune); the state they share is a ContainerCore.
 */
export class ContainerService {
  private readonly core: ContainerCore;
  /** cp, diff, commit and checkpoints (files.ts). */
  readonly files: ContainerFiles;

  private readonly health: HealthMonitor;

  constructor(deps: ContainerServiceDeps) {
    this.core = new ContainerCore(deps);
    this.files = new ContainerFiles(this.core, deps.files ?? {});
    this.health = new HealthMonitor(this.core);
  }

  get(ref: string): ContainerRecord {
    return this.core.d.store.get(ref);
  }

  all(): ContainerRecord[] {
    return this.core.d.store.all();
  }

  logPath(rec: ContainerRecord): string {
    return this.core.logPath(rec);
  }

  filePath(rec: ContainerRecord, file: 'hostname' | 'hosts' | 'resolv.conf'): string {
    return this.core.filePath(rec, file);
  }

  create(req: CreateRequest): Promise<{ id: string; warnings: string[] }> {
    return createContainer(this.core, req);
  }

  /** With `checkpoint`, the container's processes are restored from it (checkpoint.ts). */
  start(ref: string, opts: { checkpoint?: string; checkpointDir?: string } = {}): Promise<void> {
    return startContainer(this.core, ref, opts);
  }

  recover(opts: RecoverOptions = {}): Promise<void> {
    return recover(this.core, opts);
  }

  stop(ref: string, opts: { timeoutSec?: number; signal?: string } = {}): Promise<void> {
    return stopContainer(this.core, ref, opts);
  }

  kill(ref: string, signal = 'SIGKILL'): Promise<void> {
    return killContainer(this.core, ref, signal);
  }

  restart(ref: string, opts: { timeoutSec?: number; signal?: string } = {}): Promise<void> {
    return restartContainer(this.core, ref, opts);
  }

  wait(ref: string, condition: WaitCondition = 'not-running', signal?: AbortSignal): Promise<WaitResult> {
    return waitContainer(this.core, ref, condition, signal);
  }

  remove(ref: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    return removeContainer(this.core, ref, opts);
  }

  /** Resolves once every removal's teardown has finished (rmi and prune count on freed layers). */
  settled(): Promise<void> {
    return settled(this.core);
  }

  /** `network connect`: at once if it runs, else at its next start. */
  connectNetwork(ref: string, opts: { network: string; settings?: EndpointSettings }): Promise<void> {
    return connectNetwork(this.core, ref, opts);
  }

  disconnectNetwork(ref: string, opts: { network: string; force?: boolean }): Promise<void> {
    return disconnectNetwork(this.core, ref, opts);
  }

  rename(ref: string, newName: string): Promise<void> {
    return renameContainer(this.core, ref, newName);
  }

  list(opts: ListOptions): ContainerRecord[] {
    return listContainers(this.core, opts);
  }

  /** A container using the image, running ones first. */
  imageUser(imageId: string): { id: string; running: boolean } | undefined {
    return imageUser(this.core, imageId);
  }

  prune(filters: Filters): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    return pruneContainers(this.core, filters);
  }

  sizeRw(rec: ContainerRecord): Promise<number> {
    return this.core.d.rootfs.sizeRw(rec.id);
  }

  logs(ref: string, opts: LogOptions): AsyncIterable<LogEntry> {
    return containerLogs(this.core, ref, opts);
  }

  attach(ref: string, opts: { stdin: boolean; signal?: AbortSignal }): Promise<{ rec: ContainerRecord; streams: AttachStreams }> {
    return attachContainer(this.core, ref, opts);
  }

  resize(ref: string, size: { height: number; width: number }): Promise<void> {
    return resizeContainer(this.core, ref, size);
  }

  export(ref: string): Promise<Readable> {
    return exportContainer(this.core, ref);
  }

  pause(ref: string): Promise<void> {
    return pauseContainer(this.core, ref);
  }

  unpause(ref: string): Promise<void> {
    return unpauseContainer(this.core, ref);
  }

  update(ref: string, u: ContainerUpdate): Promise<{ warnings: string[] }> {
    return updateContainer(this.core, ref, u);
  }

  /** The container's counters now (`cpuOnly`: its CPU's alone); undefined when it does not run. */
  stats(rec: ContainerRecord, opts: { cpuOnly?: boolean } = {}): Promise<CgroupStats | undefined> {
    return containerStats(this.core, rec, opts);
  }

  /** docker exec: an instance to start (exec.ts). */
  createExec(ref: string, req: ExecCreateRequest): string {
    return createExec(this.core, ref, req);
  }

  startExec(ref: string, opts: { attach: boolean; tty?: boolean; consoleSize?: { height: number; width: number } }): Promise<StartedExec> {
    return startExec(this.core, ref, opts);
  }

  resizeExec(ref: string, size: { height: number; width: number }): Promise<void> {
    return resizeExec(this.core, ref, size);
  }

  execDetached(ref: string): void {
    execDetached(this.core, ref);
  }

  inspectExec(ref: string): ExecRecord {
    return inspectExec(this.core, ref);
  }

  /** docker top: the host's ps over the container's processes. */
  top(ref: string, psArgs: string): Promise<TopResult> {
    return topContainer(this.core, ref, psArgs);
  }

  /** The container's execs that have not ended (inspect's ExecIDs). */
  execIds(id: string): string[] {
    return this.core.execs.idsOf(id);
  }

  /** Stop following exits; containers keep running under conmon. */
  shutdown(): void {
    this.health.stopAll();
    shutdown(this.core);
  }
}
