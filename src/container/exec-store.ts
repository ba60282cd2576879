import { NotFoundError } from '../base/index.js';
import type { ExecSession } from './ports.js';

/** What `docker exec` asked for (POST /containers/{id}/exec), in the domain's words. */
export interface ExecConfig {
  /** The command line: entrypoint then arguments. */
  cmd: string[];
  env: string[];
  user: string;
  workingDir: string;
  tty: boolean;
  privileged: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  detachKeys: string;
  consoleSize?: { height: number; width: number };
}

/** One exec instance: created, then running, then ended with its exit code. */
export interface ExecRecord {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  /** Set once it started (even if it failed to: then 126 or 127). */
  exitCode: number | null;
  pid: number;
  /** Ever started: an exec runs once. */
  started: boolean;
  /** A health probe, not a user's exec: it leaves the store as soon as it ends. */
  probe: boolean;
  session?: ExecSession;
}

/**
 * The daemon's exec instances, in memory as dockerd keeps them: an exec belongs to one run of
 * its container, and a daemon restart forgets them (the processes live on under conmon).
 * Ended execs stay inspectable until their container stops or goes; at most MAX_ENDED are kept.
 */
export class ExecStore {
  private readonly byId = new Map<string, ExecRecord>();
  private static readonly MAX_ENDED = 1000;

  add(rec: ExecRecord): void {
    this.byId.set(rec.id, rec);
    if (this.byId.size > ExecStore.MAX_ENDED) this.evictEnded();
  }

  /** By full id or unique prefix, as dockerd resolves exec ids. */
  get(ref: string): ExecRecord {
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const found = ref ? [...this.byId.values()].filter((e) => e.id.startsWith(ref)) : [];
    if (found.length !== 1) throw new NotFoundError(`No such exec instance: ${ref}`);
    return found[0]!;
  }

  delete(id: string): void {
    this.byId.delete(id);
  }

  /** A container's execs that have not ended (inspect's ExecIDs): created or running. */
  idsOf(containerId: string): string[] {
    return [...this.byId.values()].filter((e) => e.containerId === containerId && e.exitCode === null && !e.probe).map((e) => e.id);
  }

  /** Forget a container's execs (it stopped or was removed). */
  dropContainer(containerId: string): void {
    for (const e of this.byId.values()) if (e.containerId === containerId && !e.running) this.byId.delete(e.id);
  }

  private evictEnded(): void {
    for (const e of this.byId.values()) {
      if (this.byId.size <= ExecStore.MAX_ENDED) return;
      if (!e.running) this.byId.delete(e.id);
    }
  }
}
