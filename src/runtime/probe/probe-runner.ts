import { readFile } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { InvalidArgumentError } from '../../base/index.js';
import { canSpawnProbe, containerCgroupProcs, spawnProbe, signalProcess } from '../../host/index.js';
import type { RuntimeProcess, RuntimeSpec } from '../../oci/index.js';
import { SECCOMP_BPF_ANNOTATION } from '../conmon/index.js';

/** Where the runner finds a running container's facts (RuntimeLayout's files, the runtime's state). */
export interface ProbeFiles {
  /** The runtime's pid file: the container's init as the host sees it. */
  pidFile(id: string): string;
  /** The bundle's config.json. */
  config(id: string): string;
  /** The runtime's compiled seccomp filter for the container (crun's state dir), if it keeps one. */
  seccompBpf?(id: string): string;
}

/** A probe started by the runner: as an exec session, without a terminal or stdin. */
export interface ProbeSession {
  pid: number;
  /** stdout and stderr together on `stdout` (Docker keeps them as one text); `stderr` ends at once. */
  streams: { stdout: Readable; stderr: Readable; close(): void };
  kill(): Promise<void>;
  exited: Promise<{ exitCode: number }>;
}

interface Facts { pid: number; spec: RuntimeSpec; cgroupProcs: string[]; seccomp: Buffer | undefined }

/**
 * Health probes started without the runtime or conmon (docs/decisions/0016-probe-path.md): the
 * addon joins the container's cgroups and namespaces and applies the exec's confinement (user,
 * capabilities, no_new_privs, rlimits, AppArmor, the container's seccomp filter) itself. A probe
 * needs no attach socket, no terminal and no survival across a daemon restart, so the runtime's
 * work per exec (a process for conmon, one for the runtime, its state lookups) is not needed.
 * `start` answers undefined where this path cannot keep the runtime's semantics (no addon, a
 * seccomp profile whose compiled filter is unknown, a user namespace): the caller runs the
 * probe through the runtime then.
 */
export class ProbeRunner {
  private readonly facts = new Map<string, Promise<Facts | undefined>>();

  constructor(private readonly files: ProbeFiles) {}

  get available(): boolean {
    return canSpawnProbe;
  }

  async start(id: string, build: (base: RuntimeProcess) => RuntimeProcess): Promise<ProbeSession | undefined> {
    if (!canSpawnProbe) return undefined;
    const f = await this.factsOf(id);
    if (!f) return undefined;
    const process = build(f.spec.process);
    let child;
    try {
      child = await spawnProbe({ pid: f.pid, cgroupProcs: f.cgroupProcs, process, seccomp: f.seccomp });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOTSUP') return undefined;
      // A container that ended or restarted since its facts were read: read them again next time.
      if (err.syscall !== 'exec') this.facts.delete(id);
      throw new InvalidArgumentError(`OCI runtime exec failed: ${failureText(err, process.args[0] ?? '')}: unknown`);
    }
    const stderr = new PassThrough();
    stderr.end();
    let killed!: () => void;
    const killedP = new Promise<void>((r) => { killed = r; });
    const outputEnded = new Promise<void>((r) => { child.output.once('close', () => r()); child.output.once('end', () => r()); });
    child.output.on('error', () => {});
    const exited = Promise.race([outputEnded, killedP]).then(() => child.exited()).then(({ code, signal }) => ({ exitCode: code ?? 128 + (signal ?? 0) }));
    return {
      pid: child.pid,
      streams: { stdout: child.output, stderr, close: () => child.output.destroy() },
      kill: async () => { signalProcess(child.pid, 'SIGKILL'); killed(); },
      exited,
    };
  }

  /** The container was made again or removed (a restart, a delete): its facts go. */
  forget(id: string): void {
    this.facts.delete(id);
  }

  private factsOf(id: string): Promise<Facts | undefined> {
    let f = this.facts.get(id);
    if (!f) {
      f = this.load(id).catch(() => undefined);
      this.facts.set(id, f);
      void f.then((got) => { if (!got) this.facts.delete(id); });
    }
    return f;
  }

  private async load(id: string): Promise<Facts | undefined> {
    const pid = Number((await readFile(this.files.pidFile(id), 'utf8')).trim());
    if (!(pid > 0)) return undefined;
    const spec = JSON.parse(await readFile(this.files.config(id), 'utf8')) as RuntimeSpec;
    let seccomp: Buffer | undefined;
    if (spec.linux?.seccomp) {
      // The filter crun was handed compiled (SeccompBpfCache), else the one it compiled and kept.
      const given = spec.annotations?.[SECCOMP_BPF_ANNOTATION];
      const path = this.files.seccompBpf?.(id);
      seccomp = given ? Buffer.from(given, 'base64') : path ? await readFile(path).catch(() => undefined) : undefined;
      // A profile without its compiled filter: only the runtime can apply it.
      if (!seccomp || seccomp.length === 0 || seccomp.length % 8 !== 0) return undefined;
    }
    return { pid, spec, cgroupProcs: await containerCgroupProcs(pid), seccomp };
  }
}

/** The runtime's words for a process that could not start (runc's, which the docker CLI reads for 126/127). */
function failureText(e: NodeJS.ErrnoException, cmd: string): string {
  const prefix = 'exec failed: unable to start container process';
  if (e.syscall === 'exec' && e.code === 'ENOENT') {
    return cmd.includes('/') ? `${prefix}: exec: "${cmd}": stat ${cmd}: no such file or directory` : `${prefix}: exec: "${cmd}": executable file not found in $PATH`;
  }
  if (e.syscall === 'exec' && e.code === 'EACCES') return `${prefix}: exec: "${cmd}": permission denied`;
  return `${prefix}: ${e.syscall ?? 'spawn'}: ${(e.message.split(', ')[0] ?? e.message).replace(/^[A-Z]+: /, '').toLowerCase()}`;
}
