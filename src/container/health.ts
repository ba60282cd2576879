import type { HealthConfig } from '../oci/index.js';
import type { ContainerRecord, HealthResult, HealthState } from './config.js';
import type { ContainerCore } from './core.js';
import { createExec, startExec } from './exec.js';

// dockerd's defaults (daemon/health.go).
const NS_PER_MS = 1e6;
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_START_INTERVAL_MS = 5_000;
const DEFAULT_RETRIES = 3;
const MAX_LOG_ENTRIES = 5;
const MAX_OUTPUT = 4096;

/** The probe's command line, or undefined when the container has no check (none, NONE, or an unknown type). */
export function probeCommand(rec: ContainerRecord): string[] | undefined {
  const test = (rec.config.Healthcheck as HealthConfig | undefined)?.Test;
  if (!test || test.length === 0) return undefined;
  if (test[0] === 'CMD' && test.length > 1) return test.slice(1);
  if (test[0] === 'CMD-SHELL' && test.length > 1) return [...(rec.config.Shell?.length ? rec.config.Shell : ['/bin/sh', '-c']), ...test.slice(1)];
  return undefined;
}

export interface Timing { intervalMs: number; timeoutMs: number; startPeriodMs: number; startIntervalMs: number; retries: number }

function timing(rec: ContainerRecord): Timing {
  const hc = (rec.config.Healthcheck ?? {}) as HealthConfig;
  const ms = (ns: number | undefined, dflt: number): number => (ns && ns > 0 ? ns / NS_PER_MS : dflt);
  return {
    intervalMs: ms(hc.Interval, DEFAULT_INTERVAL_MS),
    timeoutMs: ms(hc.Timeout, DEFAULT_TIMEOUT_MS),
    startPeriodMs: ms(hc.StartPeriod, 0),
    startIntervalMs: ms(hc.StartInterval, DEFAULT_START_INTERVAL_MS),
    retries: hc.Retries && hc.Retries > 0 ? hc.Retries : DEFAULT_RETRIES,
  };
}

/**
 * The health state after one probe, as dockerd's handleProbeResult: the result joins the last five;
 * success is healthy and clears the streak; a failure counts unless the container is still
 * starting within its start period, and `retries` failures in a row make it unhealthy.
 */
export function nextHealth(h: HealthState, result: HealthResult, opts: { retries: number; startPeriodMs: number; startedAt: string }): HealthState {
  const log = [...h.log, result].slice(-MAX_LOG_ENTRIES);
  if (result.exitCode === 0) return { status: 'healthy', failingStreak: 0, log };
  const inStartPeriod = h.status === 'starting' && Date.parse(result.start) - Date.parse(opts.startedAt) < opts.startPeriodMs;
  if (inStartPeriod) return { ...h, log };
  const failingStreak = h.failingStreak + 1;
  return { status: failingStreak >= opts.retries ? 'unhealthy' : h.status, failingStreak, log };
}

/** The wait before the next probe: the start interval while starting within the start period, as dockerd. */
export function nextInterval(t: Timing, h: HealthState, elapsedMs: number): number {
  if (elapsedMs >= t.startPeriodMs) return t.intervalMs;
  const remaining = t.startPeriodMs - elapsedMs;
  if (remaining < t.intervalMs) return remaining;
  return h.status === 'starting' ? t.startIntervalMs : t.intervalMs;
}

/**
 * Runs each running container's health check (HEALTHCHECK or --health-*) through the exec path,
 * on one timer per container: State.Health, `health_status: ...` events and the record kept
 * (written when the status changes). Started with the container's process and at daemon start for
 * the ones that run; ended with the process.
 */
export class HealthMonitor {
  private readonly timers = new Map<string, { timer?: NodeJS.Timeout; probe?: Promise<void>; stopped: boolean }>();

  constructor(private readonly core: ContainerCore) {
    core.started.push((rec) => this.begin(rec));
    core.ended.push((rec) => this.end(rec.id));
  }

  /** As dockerd's initHealthMonitor: starting again, the streak cleared, the log kept. */
  begin(rec: ContainerRecord): void {
    if (!probeCommand(rec)) return;
    this.end(rec.id);
    rec.health = { status: 'starting', failingStreak: 0, log: rec.health?.log ?? [] };
    const m: { timer?: NodeJS.Timeout; probe?: Promise<void>; stopped: boolean } = { stopped: false };
    this.timers.set(rec.id, m);
    this.schedule(rec, m);
  }

  end(id: string): void {
    const m = this.timers.get(id);
    if (!m) return;
    m.stopped = true;
    if (m.timer) clearTimeout(m.timer);
    this.timers.delete(id);
  }

  stopAll(): void {
    for (const id of [...this.timers.keys()]) this.end(id);
  }

  private schedule(rec: ContainerRecord, m: { timer?: NodeJS.Timeout; stopped: boolean }): void {
    const t = timing(rec);
    const wait = nextInterval(t, rec.health!, Date.now() - Date.parse(rec.state.startedAt));
    m.timer = setTimeout(() => {
      void this.tick(rec, t, m).finally(() => { if (!m.stopped) this.schedule(rec, m); });
    }, wait);
    m.timer.unref();
  }

  private async tick(rec: ContainerRecord, t: Timing, m: { stopped: boolean }): Promise<void> {
    // A paused container is not probed (dockerd stops its monitor while paused).
    if (rec.state.status !== 'running' || !this.core.d.store.find(rec.id)) return;
    const result = await this.probe(rec, t);
    if (m.stopped || !rec.health) return;
    const before = rec.health.status;
    rec.health = nextHealth(rec.health, result, { retries: t.retries, startPeriodMs: t.startPeriodMs, startedAt: rec.state.startedAt });
    if (rec.health.status !== before) {
      await this.core.d.store.save(rec).catch((e: unknown) => this.core.d.log.warn('cannot save health status', { id: rec.id, error: String(e) }));
      this.core.event(rec, `health_status: ${rec.health.status}`);
    }
  }

  /** One run of the check: its exit code and first 4 KiB of output, -1 when it could not run or ran out of time. */
  private async probe(rec: ContainerRecord, t: Timing): Promise<HealthResult> {
    const start = new Date().toISOString();
    const out: Buffer[] = [];
    let size = 0;
    let truncated = false;
    const keep = (b: Buffer): void => {
      const room = MAX_OUTPUT - size;
      if (room > 0) { out.push(b.subarray(0, room)); size += Math.min(room, b.length); }
      if (b.length > room) truncated = true;
    };
    const output = (): string => Buffer.concat(out).toString() + (truncated ? '...' : '');
    try {
      const cmd = probeCommand(rec)!;
      const id = createExec(this.core, rec.id, { cmd, user: rec.config.User, workingDir: rec.config.WorkingDir, attachStdout: true, attachStderr: true }, { probe: true });
      const run = await startExec(this.core, id, { attach: true });
      run.streams?.stdout.on('data', keep);
      run.streams?.stderr.on('data', keep);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), t.timeoutMs); });
      const first = await Promise.race([run.exited, timedOut]);
      clearTimeout(timer);
      if (first === 'timeout') {
        await run.exec.session?.kill().catch(() => {});
        await run.exited;
        run.streams?.close();
        const secs = `${t.timeoutMs / 1000}s`;
        const msg = output() ? `Health check exceeded timeout (${secs}): ${output()}` : `Health check exceeded timeout (${secs})`;
        return { start, end: new Date().toISOString(), exitCode: -1, output: msg };
      }
      await streamsEnded(run.streams);
      return { start, end: new Date().toISOString(), exitCode: first, output: output() };
    } catch (e) {
      return { start, end: new Date().toISOString(), exitCode: -1, output: e instanceof Error ? e.message : String(e) };
    }
  }
}

/** Output still in flight when the exit is known: wait for both streams' end (conmon drains them first). */
function streamsEnded(s: { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream } | undefined): Promise<void> {
  if (!s) return Promise.resolve();
  const ended = (r: NodeJS.ReadableStream): Promise<void> => new Promise((res) => {
    if ((r as { readableEnded?: boolean }).readableEnded) res();
    else { r.once('end', () => res()); r.once('close', () => res()); r.once('error', () => res()); }
  });
  return Promise.all([ended(s.stdout), ended(s.stderr)]).then(() => {});
}
