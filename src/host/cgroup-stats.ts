import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** One block-device counter as the kernel reports it ("8:0 Read 4096" under v1, "rbytes=" under v2). */
export interface BlkioEntry { major: number; minor: number; op: string; value: number }

/** A process's cgroup counters at one moment, from cgroup v1 controllers or the v2 unified tree. */
export interface CgroupSample {
  version: 1 | 2;
  cpu: {
    totalNs: number;
    /** Per CPU (v1 cpuacct.usage_percpu); empty under v2, which has no such file. */
    perCpuNs: number[];
    userNs: number;
    kernelNs: number;
    periods: number;
    throttledPeriods: number;
    throttledTimeNs: number;
  };
  memory: {
    usage: number;
    /** v1 only: the high-water mark and the number of times the limit was hit. */
    maxUsage?: number;
    failcnt?: number;
    /** undefined when unlimited. */
    limit?: number;
    stats: Record<string, number>;
  };
  pids: { current: number; limit?: number };
  blkio: { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] };
}

/** The host's CPU time so far (/proc/stat, Docker's system_cpu_usage) and its online CPUs. */
export interface SystemCpu { systemNs: number; onlineCpus: number }

/** One interface's counters in a network namespace (/proc/<pid>/net/dev). */
export interface NetDevCounters {
  rxBytes: number; rxPackets: number; rxErrors: number; rxDropped: number;
  txBytes: number; txPackets: number; txErrors: number; txDropped: number;
}

/** USER_HZ: /proc/stat and cpuacct.stat count in these ticks on every Linux architecture Docker runs on. */
const CLOCK_TICKS = 100;
const NS_PER_TICK = 1e9 / CLOCK_TICKS;

/** v1 hierarchies by controller name, and the unified (v2) mount if there is one; from mountinfo text. */
export function cgroupMounts(mountinfo: string): { v1: Map<string, { mountPoint: string; root: string }>; unified?: { mountPoint: string; root: string }; unifiedOnly: boolean } {
  const v1 = new Map<string, { mountPoint: string; root: string }>();
  let unified: { mountPoint: string; root: string } | undefined;
  let rootIsV2 = false;
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const fields = line.slice(0, sep).split(' ');
    const root = unescapeMount(fields[3] ?? '');
    const mountPoint = unescapeMount(fields[4] ?? '');
    const [fsType, , superOpts] = line.slice(sep + 3).split(' ');
    if (fsType === 'cgroup2') {
      unified = { mountPoint, root };
      if (mountPoint === '/sys/fs/cgroup') rootIsV2 = true;
    } else if (fsType === 'cgroup') {
      for (const opt of (superOpts ?? '').split(',')) {
        if (opt === 'rw' || opt === 'ro' || opt.includes('=') && !opt.startsWith('name=')) continue;
        if (!v1.has(opt)) v1.set(opt, { mountPoint, root });
      }
    }
  }
  return { v1, ...(unified ? { unified } : {}), unifiedOnly: rootIsV2 || (v1.size === 0 && unified !== undefined) };
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** A cgroup path (from /proc/<pid>/cgroup) under a hierarchy's mount; undefined when outside the mount's root. */
export function cgroupPathIn(m: { mountPoint: string; root: string }, path: string): string | undefined {
  const root = m.root === '/' ? '' : m.root;
  if (root && path !== root && !path.startsWith(`${root}/`)) return undefined;
  const rel = path.slice(root.length);
  return rel === '/' || rel === '' ? m.mountPoint : `${m.mountPoint}${rel.startsWith('/') ? '' : '/'}${rel}`;
}

/**
 * Where a process's cgroup is, per controller (v1) or once (v2), from /proc/<pid>/cgroup and
 * this process's mountinfo. A path outside a mount's root (another cgroup namespace) is not ours.
 */
export function cgroupDirs(procCgroup: string, mounts: ReturnType<typeof cgroupMounts>): { version: 1; dirs: Map<string, string> } | { version: 2; dir: string } | undefined {
  const lines = procCgroup.split('\n').map((l) => /^(\d+):([^:]*):(.*)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  if (mounts.unifiedOnly) {
    const own = lines.find((m) => m[1] === '0' && m[2] === '');
    const dir = own && mounts.unified ? cgroupPathIn(mounts.unified, own[3]!) : undefined;
    return dir ? { version: 2, dir } : undefined;
  }
  const dirs = new Map<string, string>();
  for (const m of lines) {
    for (const ctrl of m[2]!.split(',').filter(Boolean)) {
      const mount = mounts.v1.get(ctrl);
      const dir = mount && cgroupPathIn(mount, m[3]!);
      if (dir) dirs.set(ctrl, dir);
    }
  }
  return dirs.size ? { version: 1, dirs } : undefined;
}

/** "key value" lines (memory.stat, cpu.stat, cpuacct.stat). */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/** A single number, or undefined for "max" (v2's unlimited) or a v1 limit past any real memory. */
export function parseLimit(text: string): number | undefined {
  const t = text.trim();
  if (t === '' || t === 'max') return undefined;
  const n = Number(t);
  // v1 writes "unlimited" as the largest page-aligned int64 (9223372036854771712).
  return Number.isFinite(n) && n < 2 ** 62 ? n : undefined;
}

/** v1 blkio files: "8:0 Read 4096" lines and a "Total" line. */
export function parseBlkioV1(text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):(\d+)\s+(\S+)\s+(\d+)$/.exec(line.trim());
    if (m) out.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3]!, value: Number(m[4]) });
  }
  return out;
}

/** v2 io.stat ("8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0"), as dockerd turns it into v1's entries. */
export function parseIoStatV2(text: string): { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] } {
  const serviceBytes: BlkioEntry[] = [];
  const serviced: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const [dev, ...kvs] = line.trim().split(/\s+/);
    const m = /^(\d+):(\d+)$/.exec(dev ?? '');
    if (!m) continue;
    const kv = Object.fromEntries(kvs.map((s) => s.split('=')).filter((p) => p.length === 2).map(([k, v]) => [k, Number(v)]));
    const major = Number(m[1]);
    const minor = Number(m[2]);
    serviceBytes.push({ major, minor, op: 'read', value: kv.rbytes ?? 0 }, { major, minor, op: 'write', value: kv.wbytes ?? 0 });
    serviced.push({ major, minor, op: 'read', value: kv.rios ?? 0 }, { major, minor, op: 'write', value: kv.wios ?? 0 });
  }
  return { serviceBytes, serviced };
}

/** The "cpu" line of /proc/stat summed as dockerd does (user..steal), in ns, and the cpuN lines counted. */
export function parseProcStat(text: string): SystemCpu {
  let systemNs = 0;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] === 'cpu') {
      // user nice system idle iowait irq softirq steal (guest time is already in user)
      systemNs = parts.slice(1, 9).reduce((s, v) => s + Number(v || 0), 0) * NS_PER_TICK;
    } else if (/^cpu\d+$/.test(parts[0] ?? '')) {
      onlineCpus++;
    }
  }
  return { systemNs, onlineCpus };
}

/** /proc/<pid>/net/dev: every interface but loopback, as dockerd reports the container's networks. */
export function parseNetDev(text: string): Record<string, NetDevCounters> {
  const out: Record<string, NetDevCounters> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const v = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (!name || name === 'lo' || v.length < 16 || v.some((n) => !Number.isFinite(n))) continue;
    out[name] = {
      rxBytes: v[0]!, rxPackets: v[1]!, rxErrors: v[2]!, rxDropped: v[3]!,
      txBytes: v[8]!, txPackets: v[9]!, txErrors: v[10]!, txDropped: v[11]!,
    };
  }
  return out;
}

/**
 * cgroupfs and procfs files are made by the kernel on read and never wait on a disk: read at once
 * rather than through libuv's four-thread pool, where a hundred containers' twenty files each
 * (docker stats of all) queued behind one another and behind every other file operation.
 */
function readNow(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
const read = (path: string): Promise<string> => Promise.resolve(readNow(path));

let mountsCache: Promise<ReturnType<typeof cgroupMounts>> | undefined;

/** The cgroup hierarchies, read once: they are mounted before the daemon starts. */
function mounts(): Promise<ReturnType<typeof cgroupMounts>> {
  mountsCache ??= readFile('/proc/self/mountinfo', 'utf8').then(cgroupMounts);
  return mountsCache;
}

/** A cgroup's directories for a process (its init, for a container); undefined once it is gone. */
export async function processCgroup(pid: number): Promise<ReturnType<typeof cgroupDirs>> {
  const text = await read(`/proc/${pid}/cgroup`);
  return text ? cgroupDirs(text, await mounts()) : undefined;
}

/**
 * Read the counters of a cgroup located by processCgroup(); `cpuOnly` reads the CPU counters
 * alone (a first sample that only serves as precpu_stats) and leaves the others at zero.
 */
export async function readCgroupSample(at: NonNullable<ReturnType<typeof cgroupDirs>>, opts: { cpuOnly?: boolean } = {}): Promise<CgroupSample> {
  if (opts.cpuOnly && at.version === 1) return readV1Cpu(at.dirs);
  return at.version === 2 ? readV2(at.dir) : readV1(at.dirs);
}

const NO_COUNTERS = { memory: { usage: 0, stats: {} }, pids: { current: 0 }, blkio: { serviceBytes: [], serviced: [] } };

async function readV1Cpu(dirs: Map<string, string>): Promise<CgroupSample> {
  const f = (ctrl: string, file: string): string => {
    const dir = dirs.get(ctrl);
    return dir ? readNow(`${dir}/${file}`) : '';
  };
  return { version: 1, cpu: v1Cpu(f), ...NO_COUNTERS };
}

function v1Cpu(f: (ctrl: string, file: string) => string): CgroupSample['cpu'] {
  const acct = parseFlatKeyed(f('cpuacct', 'cpuacct.stat'));
  const cpu = parseFlatKeyed(f('cpu', 'cpu.stat'));
  return {
    totalNs: num(f('cpuacct', 'cpuacct.usage')),
    perCpuNs: f('cpuacct', 'cpuacct.usage_percpu').trim().split(/\s+/).filter(Boolean).map(Number),
    userNs: (acct.user ?? 0) * NS_PER_TICK,
    kernelNs: (acct.system ?? 0) * NS_PER_TICK,
    periods: cpu.nr_periods ?? 0,
    throttledPeriods: cpu.nr_throttled ?? 0,
    throttledTimeNs: cpu.throttled_time ?? 0,
  };
}

async function readV1(dirs: Map<string, string>): Promise<CgroupSample> {
  const f = (ctrl: string, file: string): string => {
    const dir = dirs.get(ctrl);
    return dir ? readNow(`${dir}/${file}`) : '';
  };
  const [memStat, memUsage, memMax, memFail, memLimit, pidsCur, pidsMax, ios] = [
    f('memory', 'memory.stat'), f('memory', 'memory.usage_in_bytes'), f('memory', 'memory.max_usage_in_bytes'), f('memory', 'memory.failcnt'),
    f('memory', 'memory.limit_in_bytes'), f('pids', 'pids.current'), f('pids', 'pids.max'), f('blkio', 'blkio.io_serviced_recursive'),
  ];
  // CFQ's counters where the scheduler keeps them, else the throttle layer's (containerd's rule).
  const cfq = parseBlkioV1(ios);
  const useCfq = cfq.length > 0;
  const bytes = f('blkio', useCfq ? 'blkio.io_service_bytes_recursive' : 'blkio.throttle.io_service_bytes_recursive');
  const limit = parseLimit(memLimit);
  const pidsLimit = parseLimit(pidsMax);
  return {
    version: 1,
    cpu: v1Cpu(f),
    memory: {
      usage: num(memUsage), maxUsage: num(memMax), failcnt: num(memFail),
      ...(limit !== undefined ? { limit } : {}), stats: parseFlatKeyed(memStat),
    },
    pids: { current: num(pidsCur), ...(pidsLimit !== undefined ? { limit: pidsLimit } : {}) },
    blkio: {
      serviceBytes: parseBlkioV1(bytes),
      serviced: useCfq ? cfq : parseBlkioV1(f('blkio', 'blkio.throttle.io_serviced_recursive')),
    },
  };
}

async function readV2(dir: string): Promise<CgroupSample> {
  const f = (file: string): Promise<string> => read(`${dir}/${file}`);
  const [cpuStat, memStat, memCur, memMax, pidsCur, pidsMax, ioStat] = await Promise.all([
    f('cpu.stat'), f('memory.stat'), f('memory.current'), f('memory.max'), f('pids.current'), f('pids.max'), f('io.stat'),
  ]);
  const cpu = parseFlatKeyed(cpuStat);
  const limit = parseLimit(memMax);
  const pidsLimit = parseLimit(pidsMax);
  return {
    version: 2,
    cpu: {
      totalNs: (cpu.usage_usec ?? 0) * 1000,
      perCpuNs: [],
      userNs: (cpu.user_usec ?? 0) * 1000,
      kernelNs: (cpu.system_usec ?? 0) * 1000,
      periods: cpu.nr_periods ?? 0,
      throttledPeriods: cpu.nr_throttled ?? 0,
      throttledTimeNs: (cpu.throttled_usec ?? 0) * 1000,
    },
    memory: { usage: num(memCur), ...(limit !== undefined ? { limit } : {}), stats: parseFlatKeyed(memStat) },
    pids: { current: num(pidsCur), ...(pidsLimit !== undefined ? { limit: pidsLimit } : {}) },
    blkio: parseIoStatV2(ioStat),
  };
}

function num(text: string): number {
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : 0;
}

let systemCpu: { at: number; value: SystemCpu } | undefined;
/** How long one read of /proc/stat serves every container sampled meanwhile (dockerd reads it once per tick for all). */
const SYSTEM_CPU_SHARE_MS = 10;

/** The host's CPU time and online CPUs now. */
export async function readSystemCpu(): Promise<SystemCpu> {
  const now = performance.now();
  if (!systemCpu || now - systemCpu.at > SYSTEM_CPU_SHARE_MS) systemCpu = { at: now, value: parseProcStat(readNow('/proc/stat')) };
  return systemCpu.value;
}

/** The interfaces of the network namespace `pid` lives in. */
export async function readNetDev(pid: number): Promise<Record<string, NetDevCounters>> {
  return parseNetDev(await read(`/proc/${pid}/net/dev`));
}

/** Whether the host can weight a cgroup's block I/O (blkio.weight under v1 with CFQ or BFQ, the io controller under v2). */
export async function blkioWeightSupported(): Promise<boolean> {
  const m = await mounts();
  const exists = (p: string): Promise<boolean> => readFile(p, 'utf8').then(() => true, () => false);
  if (m.unifiedOnly) return m.unified ? (await read(`${m.unified.mountPoint}/cgroup.controllers`)).split(/\s+/).includes('io') : false;
  const blkio = m.v1.get('blkio');
  if (!blkio) return false;
  return (await exists(`${blkio.mountPoint}/blkio.weight`)) || exists(`${blkio.mountPoint}/blkio.bfq.weight`);
}
