import { existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, InvalidArgumentError, NotImplementedError, type Logger } from '../base/index.js';
import type { CgroupStats, ContainerProcess, ContainerRuntime, SpecFactory, SpecRequest, LogReader } from '../container/index.js';
import {
  ConmonRuntime, OciRuntimeError, ProbeRunner, SeccompBpfCache, sweepExecDirs, buildExecProcess, buildSpec, readLogs, resolveUser, setupWorkingDir, toRuntimeMounts, writeBundle,
  type DetectedRuntime, type SpecHostFacts,
} from '../runtime/index.js';
import { listHostDevices, processCgroup, readCgroupSample, readNetDev, readProcessStatus, readSystemCpu, signalProcess } from '../host/index.js';

/** The container service's runtime port over conmon + runc/crun. */
export function containerRuntime(opts: { runtime: DetectedRuntime; execRoot: string; log: Logger; hostCapabilities?: readonly string[] }): ContainerRuntime & { stateDir(id: string): string; sweepExecs(): Promise<unknown> } {
  const rt = new ConmonRuntime({ runtime: { name: opts.runtime.name, path: opts.runtime.path }, execRoot: opts.execRoot, log: opts.log });
  // Only crun leaves its compiled filter behind and takes one back.
  const bpf = opts.runtime.name === 'crun' ? new SeccompBpfCache() : undefined;
  const probes = new ProbeRunner({
    pidFile: (id) => rt.layout.pidFile(id),
    config: (id) => join(rt.layout.containerDir(id), 'config.json'),
    ...(bpf ? { seccompBpf: (id: string) => join(rt.layout.runtimeStateDir(id), 'seccomp.bpf') } : {}),
  });
  return {
    name: opts.runtime.name,
    names: [opts.runtime.name],
    async create({ id, name, spec, logPath, tty, stdin, stdinOnce, restoreFrom }) {
      probes.forget(id);
      const bundle = rt.bundlePath(id);
      const unknownProfile = bpf?.apply(spec);
      await writeBundle(bundle, spec);
      try {
        const created = await rt.create({ id, name, bundle, logPath, tty, stdin, stdinOnce, ...(restoreFrom ? { restoreFrom } : {}) });
        if (unknownProfile) void bpf!.learn(unknownProfile, join(rt.layout.runtimeStateDir(id), 'seccomp.bpf'));
        return created;
      } catch (e) {
        // dockerd's wording; the CLI reads "executable file not found" etc. to choose 126/127.
        if (e instanceof OciRuntimeError && restoreFrom) throw new InvalidArgumentError(`failed to restore container from checkpoint: OCI runtime restore failed: ${e.runtimeMessage}: unknown`);
        if (e instanceof OciRuntimeError) throw new InvalidArgumentError(`failed to create task for container: OCI runtime create failed: ${dockerWording(e.runtimeMessage)}: unknown`);
        throw e;
      }
    },
    start: (id) => rt.start(id),
    kill: (id, signal) => rt.kill(id, signal),
    delete: (id) => { probes.forget(id); return rt.delete(id, { force: true }); },
    exitStatus: (id) => rt.exitStatus(id),
    watchExits: (fn) => rt.watchExits(fn),
    isAlive: async (id) => rt.isConmonAlive(id),
    async state(id) {
      const st = await rt.state(id);
      if (!st) return undefined;
      // The runtime writes the pid file when it makes the process: the closest to a start time it keeps.
      const made = await stat(rt.layout.pidFile(id)).then((s) => s.mtime, () => undefined);
      return { ...st, ...(made ? { startedAt: made } : {}) };
    },
    attach: (id, o) => rt.attach(id, o),
    resize: (id, size) => rt.resize(id, size),
    async exec(id, req) {
      const host = { hostCapabilities: opts.hostCapabilities ?? [] };
      if (req.probe && !req.tty && !req.stdin) {
        const p = await probes.start(id, (base) => buildExecProcess(base, req, host));
        if (p) return { ...p, resize: async () => { throw new ConflictError(`Exec ${req.execId} has no terminal`); } };
      }
      const process = buildExecProcess(await rt.process(id), req, host);
      try {
        const x = await rt.exec(id, { execId: req.execId, process, stdin: req.stdin, attach: req.attach });
        return {
          pid: x.pid, streams: x.streams, exited: x.exited, resize: (size) => rt.resizeExec(req.execId, size),
          kill: async () => { signalProcess(x.pid, 'SIGKILL'); },
        };
      } catch (e) {
        // dockerd's wording; the CLI's exit code (126/127) follows from it.
        if (e instanceof OciRuntimeError) throw new InvalidArgumentError(`OCI runtime exec failed: ${dockerWording(e.runtimeMessage)}: unknown`);
        throw e;
      }
    },
    pause: (id) => rt.pause(id),
    resume: (id) => rt.resume(id),
    checkpoint: (id, o) => rt.checkpoint(id, o),
    update: (id, resources) => rt.update(id, resources),
    stats: (id, o) => containerStats(rt.layout.pidFile(id), id, o),
    processes: async (id) => (await rt.pids(id)).map(readProcessStatus).filter((p): p is ContainerProcess => p !== undefined),
    stateDir: (id) => rt.layout.runtimeStateDir(id),
    /** The exec folders a killed daemon left (the exec root is every runtime's: sweep once). */
    sweepExecs: () => sweepExecDirs(rt.layout, opts.log),
  };
}

/**
 * A running container's counters: its init's cgroup (wherever the runtime put it, v1 or v2), the
 * host's CPU time read just after (dockerd's order) and the interfaces of its network namespace.
 */
function readPidFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

async function containerStats(pidFile: string, id: string, opts: { cpuOnly?: boolean } = {}): Promise<CgroupStats> {
  const pid = Number(readPidFile(pidFile));
  const at = pid > 0 ? await processCgroup(pid) : undefined;
  if (!at) throw new ConflictError(`container ${id} is not running`);
  const read = new Date();
  const sample = await readCgroupSample(at, opts);
  const [system, networks] = await Promise.all([readSystemCpu(), opts.cpuOnly ? {} : readNetDev(pid)]);
  return { ...sample, read, system, networks };
}

/** Builds OCI specs from the container's facts plus the host's, read once at start-up. */
export function specFactory(facts: SpecHostFacts): SpecFactory {
  let devices: Awaited<ReturnType<typeof listHostDevices>> | undefined;
  void listHostDevices().then((d) => { devices = d; }, () => { devices = []; });
  return {
    resolveUser,
    setupWorkingDir,
    buildSpec(req: SpecRequest) {
      const { network, mounts, sharing, ...rest } = req;
      return buildSpec({
        ...rest,
        ...facts,
        namespaces: { network, ...sharing },
        cgroupsPath: `/berth/${req.id}`,
        extraMounts: toRuntimeMounts(mounts),
        ...(req.privileged && devices ? { hostDevices: devices } : {}),
      });
    },
  };
}

/**
 * Several runtimes behind one port: a container is created with the runtime its record names,
 * and later calls go to the runtime whose state root holds it (so it survives a daemon restart
 * without a lookup in the store). conmon's files and exit files are shared, so one watches exits.
 */
export function runtimeSet(opts: { default: ContainerRuntime & { stateDir(id: string): string }; others: Array<ContainerRuntime & { stateDir(id: string): string }> }): ContainerRuntime {
  const all = [opts.default, ...opts.others];
  const byName = (name: string | undefined): ContainerRuntime => {
    const rt = all.find((r) => r.name === (name || opts.default.name));
    if (!rt) throw new InvalidArgumentError(`unknown or invalid runtime name: ${name}`);
    return rt;
  };
  const of = (id: string): ContainerRuntime => (opts.others.length === 0 ? opts.default : all.find((r) => existsSync(r.stateDir(id))) ?? opts.default);
  return {
    name: opts.default.name,
    names: all.map((r) => r.name),
    create: (o) => byName(o.runtime).create(o),
    start: (id) => of(id).start(id),
    kill: (id, signal) => of(id).kill(id, signal),
    delete: (id) => of(id).delete(id),
    exitStatus: (id) => opts.default.exitStatus(id),
    watchExits: (fn) => opts.default.watchExits(fn),
    isAlive: (id) => opts.default.isAlive(id),
    state: (id) => of(id).state(id),
    attach: (id, o) => opts.default.attach(id, o),
    resize: (id, size) => opts.default.resize(id, size),
    exec: (id, req) => of(id).exec(id, req),
    pause: (id) => of(id).pause(id),
    resume: (id) => of(id).resume(id),
    checkpoint: (id, o) => of(id).checkpoint(id, o),
    update: (id, resources) => of(id).update(id, resources),
    stats: (id, o) => of(id).stats(id, o),
    processes: (id) => of(id).processes(id),
  };
}

export const logReader: LogReader = { read: (path, opts) => readLogs(path, opts) };

/**
 * crun words exec failures differently from runc; clients (the docker CLI among them) choose
 * exit codes 126/127 from runc's wording, so that is the one berth reports.
 */
export function dockerWording(msg: string): string {
  return msg
    .replace(/executable file `([^`]+)` not found in \$PATH: No such file or directory/, 'exec: "$1": executable file not found in $PATH')
    .replace(/Permission denied/g, 'permission denied')
    .replace(/No such file or directory/g, 'no such file or directory');
}
