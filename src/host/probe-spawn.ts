import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { LINUX_CAPABILITIES, type RuntimeProcess } from '../oci/index.js';
import { cgroupMounts, cgroupPathIn } from './cgroup-stats.js';
import { hostAddon } from './native.js';

/** A health probe's process started by the addon (native/probe.c): the daemon's own child. */
export interface ProbeChild {
  pid: number;
  /** Its stdout and stderr, together (Docker keeps a probe's output as one text). */
  output: Socket;
  /** Reap it: once its output has ended, or after a SIGKILL. */
  exited(): Promise<{ code: number | null; signal: number | null }>;
}

// linux/resource.h: the same numbers on every architecture Docker runs on.
const RLIMITS: readonly string[] = [
  'RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_DATA', 'RLIMIT_STACK', 'RLIMIT_CORE', 'RLIMIT_RSS', 'RLIMIT_NPROC',
  'RLIMIT_NOFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_AS', 'RLIMIT_LOCKS', 'RLIMIT_SIGPENDING', 'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE', 'RLIMIT_RTPRIO', 'RLIMIT_RTTIME',
];

/** Whether this daemon can start probes without the runtime (the addon is built). */
export const canSpawnProbe = hostAddon?.probeSpawn !== undefined;

/** A capability set as the addon takes it: two 32-bit words, low first. */
export function capabilityWords(names: readonly string[] | undefined): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const name of names ?? []) {
    const bit = LINUX_CAPABILITIES.indexOf(name.startsWith('CAP_') ? name : `CAP_${name}`);
    if (bit < 0) continue;
    if (bit < 32) lo = (lo | (1 << bit)) >>> 0;
    else hi = (hi | (1 << (bit - 32))) >>> 0;
  }
  return [lo, hi];
}

/** Every cgroup.procs file of the hierarchies `pid` belongs to (v1 controllers, named ones and the unified tree). */
export function cgroupProcsFiles(procCgroup: string, mountinfo: string): string[] {
  const mounts = cgroupMounts(mountinfo);
  const files = new Set<string>();
  for (const line of procCgroup.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const mount = m[2] === '' ? mounts.unified : mounts.v1.get(m[2]!.split(',').find(Boolean) ?? '');
    const dir = mount && cgroupPathIn(mount, m[3]!);
    if (dir) files.add(`${dir}/cgroup.procs`);
  }
  return [...files];
}

/**
 * Start `process` (an exec's OCI process: argv, env, cwd, user, capabilities, rlimits,
 * no_new_privs, AppArmor) in the namespaces of the running process `pid` and the cgroups `cgroupProcs`, under the
 * seccomp filter `seccomp` (compiled BPF; none when undefined), as `runc exec` would but without
 * a runtime process. Rejects as Node's spawn does; ENOENT / EACCES with syscall 'exec' when the
 * command cannot be run, ENOTSUP when the container has its own user namespace.
 */
export async function spawnProbe(opts: { pid: number; cgroupProcs: string[]; process: RuntimeProcess; seccomp: Buffer | undefined }): Promise<ProbeChild> {
  const { pid, process, seccomp } = opts;
  const addon = hostAddon;
  if (!addon?.probeSpawn) throw Object.assign(new Error('the native addon is not built'), { code: 'ENOTSUP' });
  const caps = process.capabilities ?? {};
  const words = [caps.bounding, caps.effective, caps.permitted, caps.inheritable, caps.ambient].flatMap(capabilityWords);
  const rlimits = (process.rlimits ?? []).flatMap((r) => {
    const res = RLIMITS.indexOf(r.type);
    const n = (v: number): number => (v >= 2 ** 63 || v < 0 ? -1 : v);
    return res < 0 ? [] : [res, n(r.soft), n(r.hard)];
  });
  const user = [process.user.uid, process.user.gid, ...(process.user.additionalGids ?? [])];
  const { pid: child, fd } = await addon.probeSpawn(pid, opts.cgroupProcs, user, words, process.noNewPrivileges ?? false,
    seccomp ?? null, process.apparmorProfile && appArmorEnabled() ? process.apparmorProfile : null, rlimits, process.cwd || '/', process.args, process.env);
  let reaped: Promise<{ code: number | null; signal: number | null }> | undefined;
  return {
    pid: child,
    output: new Socket({ fd, readable: true, writable: false }),
    exited: () => (reaped ??= addon.wait(child).then(([code, signal]) => ({ code, signal }))),
  };
}

/** The cgroup.procs files a probe of the process `pid` (a container's init) joins. */
export async function containerCgroupProcs(pid: number): Promise<string[]> {
  const [procCgroup, mountinfo] = await Promise.all([readFile(`/proc/${pid}/cgroup`, 'utf8'), mountInfo()]);
  return cgroupProcsFiles(procCgroup, mountinfo);
}

let mountinfoCache: Promise<string> | undefined;
function mountInfo(): Promise<string> {
  mountinfoCache ??= readFile('/proc/self/mountinfo', 'utf8');
  return mountinfoCache;
}

let appArmor: boolean | undefined;
/** As runc: a profile applies only where the kernel has AppArmor on. */
function appArmorEnabled(): boolean {
  if (appArmor === undefined) {
    try {
      appArmor = readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y';
    } catch {
      appArmor = false;
    }
  }
  return appArmor;
}
