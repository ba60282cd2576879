import { readdir, readFile, stat } from 'node:fs/promises';
import { availableParallelism, release } from 'node:os';
import { capabilitiesFromMask } from '../oci/index.js';

/** One resource limit; `Infinity` stands for "unlimited". */
export interface HostRlimit {
  soft: number;
  hard: number;
}

export type CgroupMode = 'unified' | 'hybrid' | 'legacy';

/** What the host allows a container to ask for; read once at daemon start. */
export interface HostRuntimeFacts {
  /** Names in this process's capability bounding set (CapBnd): the most a container can get. */
  capabilities: string[];
  /** Limits of this process keyed by OCI name ("RLIMIT_NOFILE"); runtimes cannot raise a hard limit. */
  rlimits: Record<string, HostRlimit>;
  kernelVersion: string;
  cgroupMode: CgroupMode;
  /** Controllers enabled on the cgroup2 mount (in hybrid mode crun refuses any). */
  unifiedControllers: string[];
  /** CPUs this process may run on (sched_getaffinity, dockerd's sysinfo.NumCPU). */
  cpuCount: number;
  /** The cpuset controller's CPUs and memory nodes ("0-1", "0"), where one is mounted. */
  cpuset?: { cpus: string; mems: string };
  /** Host paths Docker masks where they exist: each CPU's thermal_throttle directory. */
  maskablePaths: string[];
}

const CPU_SYSFS = '/sys/devices/system/cpu';

/** /sys/devices/system/cpu/cpu<N>/thermal_throttle for every CPU that has one (dockerd masks them). */
async function thermalThrottleDirs(): Promise<string[]> {
  const cpus = (await readdir(CPU_SYSFS).catch(() => [] as string[])).filter((n) => /^cpu\d+$/.test(n));
  cpus.sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  const found = await Promise.all(cpus.map(async (c) => {
    const dir = `${CPU_SYSFS}/${c}/thermal_throttle`;
    return (await stat(dir).then(() => true, () => false)) ? dir : undefined;
  }));
  return found.filter((d): d is string => d !== undefined);
}

// /proc/<pid>/limits row titles → OCI rlimit types.
const LIMIT_ROWS: Record<string, string> = {
  'Max cpu time': 'RLIMIT_CPU', 'Max file size': 'RLIMIT_FSIZE', 'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK', 'Max core file size': 'RLIMIT_CORE', 'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC', 'Max open files': 'RLIMIT_NOFILE', 'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS', 'Max file locks': 'RLIMIT_LOCKS', 'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE', 'Max nice priority': 'RLIMIT_NICE', 'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

/** Parse the text of /proc/<pid>/limits. */
export function parseProcLimits(text: string): Record<string, HostRlimit> {
  const out: Record<string, HostRlimit> = {};
  for (const line of text.split('\n')) {
    const m = /^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    const type = m && LIMIT_ROWS[m[1]!];
    if (!m || !type) continue;
    const num = (s: string): number => (s === 'unlimited' ? Infinity : Number(s));
    out[type] = { soft: num(m[2]!), hard: num(m[3]!) };
  }
  return out;
}

/** Classify the cgroup layout from /proc/self/mountinfo text. */
export function parseCgroupMode(mountinfo: string): { mode: CgroupMode; unifiedMount?: string } {
  let rootType = '';
  let unifiedMount: string | undefined;
  let hasV1 = false;
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const mountPoint = line.slice(0, sep).split(' ')[4];
    const fsType = line.slice(sep + 3).split(' ')[0];
    if (!mountPoint || !fsType) continue;
    if (mountPoint === '/sys/fs/cgroup') rootType = fsType;
    if (fsType === 'cgroup2' && mountPoint.startsWith('/sys/fs/cgroup')) unifiedMount = mountPoint;
    if (fsType === 'cgroup' && mountPoint.startsWith('/sys/fs/cgroup/')) hasV1 = true;
  }
  if (rootType === 'cgroup2') return { mode: 'unified', unifiedMount: '/sys/fs/cgroup' };
  if (hasV1 && unifiedMount) return { mode: 'hybrid', unifiedMount };
  return { mode: 'legacy' };
}

/**
 * Where the cpuset's CPU and memory-node lists are, as dockerd reads them: the root of a v1
 * cpuset hierarchy, or this process's own cgroup's effective sets under cgroup2.
 */
export function cpusetFiles(mountinfo: string, procCgroup: string): { cpus: string; mems: string } | undefined {
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const mountPoint = line.slice(0, sep).split(' ')[4];
    const [fsType, , superOpts] = line.slice(sep + 3).split(' ');
    if (mountPoint && fsType === 'cgroup' && (superOpts ?? '').split(',').includes('cpuset')) {
      return { cpus: `${mountPoint}/cpuset.cpus`, mems: `${mountPoint}/cpuset.mems` };
    }
  }
  const { mode } = parseCgroupMode(mountinfo);
  const own = /^0::(\/.*)$/m.exec(procCgroup)?.[1];
  if (mode !== 'unified' || own === undefined) return undefined;
  const dir = `/sys/fs/cgroup${own === '/' ? '' : own}`;
  return { cpus: `${dir}/cpuset.cpus.effective`, mems: `${dir}/cpuset.mems.effective` };
}

export async function readHostRuntimeFacts(): Promise<HostRuntimeFacts> {
  const [status, limits, mountinfo] = await Promise.all([
    readFile('/proc/self/status', 'utf8'),
    readFile('/proc/self/limits', 'utf8'),
    readFile('/proc/self/mountinfo', 'utf8'),
  ]);
  const capBnd = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0';
  const { mode, unifiedMount } = parseCgroupMode(mountinfo);
  const controllers = unifiedMount
    ? await readFile(`${unifiedMount}/cgroup.controllers`, 'utf8').catch(() => '')
    : '';
  const cpusetAt = cpusetFiles(mountinfo, await readFile('/proc/self/cgroup', 'utf8').catch(() => ''));
  const [cpus, mems] = cpusetAt
    ? await Promise.all([readFile(cpusetAt.cpus, 'utf8'), readFile(cpusetAt.mems, 'utf8')]).catch(() => [undefined, undefined])
    : [undefined, undefined];
  return {
    capabilities: capabilitiesFromMask(capBnd),
    rlimits: parseProcLimits(limits),
    kernelVersion: release(),
    cgroupMode: mode,
    unifiedControllers: controllers.split(/\s+/).filter(Boolean),
    cpuCount: availableParallelism(),
    maskablePaths: await thermalThrottleDirs(),
    ...(cpus !== undefined && mems !== undefined ? { cpuset: { cpus: cpus.trim(), mems: mems.trim() } } : {}),
  };
}
