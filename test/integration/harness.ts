import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request } from 'node:http';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../../..');
const DAEMON = join(REPO, 'bin/berthd.js');
const CLI = join(REPO, 'bin/berth.cjs');
export const DOCKER = existsSync('/usr/local/bin/docker') ? '/usr/local/bin/docker' : '/usr/bin/docker';

export interface RunResult { code: number; stdout: string; stderr: string }

export interface TestDaemon {
  dir: string;
  sock: string;
  host: string;
  dataRoot: string;
  execRoot: string;
  bridge: string;
  subnet: string;
  /** The berth CLI against this daemon. */
  berth(args: string[], opts?: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult>;
  /** berthd itself, in the foreground, with this daemon's flags plus `args` (e.g. --cleanup). */
  berthd(args: string[], opts?: { timeoutMs?: number }): Promise<RunResult>;
  /** The real docker CLI against this daemon. */
  docker(args: string[], opts?: { input?: string | Buffer; timeoutMs?: number }): Promise<RunResult>;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; json: () => any }>;
  /** kill -9 the daemon, leaving containers to conmon. */
  crash(): Promise<void>;
  /** SIGTERM the daemon and wait for it to exit. */
  stop(): Promise<void>;
  /** Start the daemon again on the same state. */
  restart(): Promise<void>;
  /** Remove every container, stop the daemon, delete its state, bridge and mounts. */
  cleanup(): Promise<void>;
  log(): string;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function run(file: string, args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((res, rej) => {
    const child = spawn(file, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', rej);
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      res({ code: code ?? (sig ? 128 + 9 : 1), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    // a command that exits before reading its input closes the pipe: that is not the test's failure
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** Start a berthd of its own: data root, exec root, socket, bridge and subnet. */
export async function startDaemon(opts: {
  args?: string[] | ((net: { bridge: string; subnet: string }) => string[]);
  dataRootMiB?: number;
  /**
   * A named network namespace (the test's own) to run berthd in: its bridge, rules and sysctls are
   * that namespace's; its mounts live in a mount namespace of its own (inNetns).
   */
  netns?: string;
} = {}): Promise<TestDaemon> {
  const dir = mkdtempSync('/tmp/berth-it-');
  const tag = randomBytes(3).toString('hex');
  const sock = join(dir, 'berth.sock');
  const dataRoot = join(dir, 'data');
  const execRoot = join(dir, 'exec');
  const bridge = `bt${tag}`;
  const subnet = `172.${randomInt(20, 31)}.${randomInt(0, 255)}.0/24`;
  const logFile = join(dir, 'berthd.log');
  let child: ChildProcess | undefined;
  writeFileSync(join(dir, 'daemon.json'), '{}\n');
  if (opts.dataRootMiB) {
    // a data root on a small tmpfs: a test can fill the disk without touching the host's
    spawnSync('mkdir', ['-p', dataRoot]);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${opts.dataRootMiB}m`, 'tmpfs', dataRoot]);
    if (m.status !== 0) throw new Error(`cannot mount a tmpfs data root: ${m.stderr}`);
  }

  const extra = typeof opts.args === 'function' ? opts.args({ bridge, subnet }) : opts.args ?? [];
  const daemonArgs = ['-H', `unix://${sock}`, '--data-root', dataRoot, '--exec-root', execRoot,
    '--pidfile', join(dir, 'berthd.pid'),
    // a test naming its own bridge (-b none) gives no --bip either
    ...(extra.some((a) => a === '-b' || a === '--bridge') ? [] : ['--bridge', bridge, '--bip', subnet]), '--config-file', join(dir, 'daemon.json'), '--log-level', 'debug', ...extra];
  const launcher = opts.netns ? inNetns(opts.netns, dir) : { file: DAEMON, args: [] };
  const launch = async (): Promise<void> => {
    const { openSync } = await import('node:fs');
    const fd = openSync(logFile, 'a');
    child = spawn(launcher.file, [...launcher.args, ...daemonArgs], { stdio: ['ignore', fd, fd], detached: true });
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`berthd exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8')}`);
      try {
        const r = await api('GET', '/_ping');
        if (r.status === 200) return;
      } catch { /* not up yet */ }
      if (Date.now() > deadline) throw new Error(`berthd did not answer within 20 s:\n${readFileSync(logFile, 'utf8')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const api: TestDaemon['api'] = (method, path, body) => new Promise((res, rej) => {
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = request({ socketPath: sock, method, path, headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {} }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        res({ status: r.statusCode ?? 0, headers: r.headers, body: text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', rej);
    req.end(payload);
  });

  const env = { ...process.env, DOCKER_HOST: `unix://${sock}` };
  const d: TestDaemon = {
    dir, sock, host: `unix://${sock}`, dataRoot, execRoot, bridge, subnet,
    berth: (args, o = {}) => run(CLI, args, { ...o, env: { ...env, ...o.env } }),
    berthd: (args, o = {}) => run(launcher.file, [...launcher.args, ...daemonArgs, ...args], o),
    docker: (args, o = {}) => run(DOCKER, ['-H', `unix://${sock}`, ...args], { ...o, env: { ...process.env, DOCKER_CONFIG: join(dir, 'docker-config') } }),
    api,
    async crash() {
      child?.kill('SIGKILL');
      await waitExit(child);
    },
    async stop() {
      child?.kill('SIGTERM');
      await waitExit(child);
    },
    restart: launch,
    async cleanup() {
      try {
        if (child && child.exitCode === null) {
          const ids = (await d.berth(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
          if (ids.length) await d.berth(['rm', '-f', ...ids], { timeoutMs: 60_000 });
        }
      } catch { /* fall through to the forceful cleanup */ }
      if (child && child.exitCode === null) { child.kill('SIGTERM'); await waitExit(child); }
      killStragglers(dir);
      for (const m of mountsUnder(dir).reverse()) spawnSync('umount', ['-l', m]);
      removeNetworkLeftovers(bridge, subnet);
      removeSpareNamespaces(join(dataRoot, 'networks'));
      removePortChains(join(dataRoot, 'networks'));
      await rm(dir, { recursive: true, force: true }).catch(() => {});
    },
    log: () => readFileSync(logFile, 'utf8'),
  };
  await launch();
  return d;
}

/**
 * berthd in a named network namespace, with a mount namespace of its own where /sys is that
 * namespace's (links are looked up there) and the cgroup mounts are the host's (`ip netns exec`
 * would drop them). nsenter, unshare and sh exec one another: the child is berthd itself.
 */
function inNetns(netns: string, dir: string): { file: string; args: string[] } {
  const cgroups = join(dir, 'cgroup-move');
  mkdirSync(cgroups);
  const script = 'mount --rbind /sys/fs/cgroup "$1" && mount -t sysfs sysfs /sys && mount --move "$1" /sys/fs/cgroup && shift && exec "$@"';
  return { file: 'nsenter', args: [`--net=/run/netns/${netns}`, 'unshare', '--mount', '--propagation', 'slave', '--', 'sh', '-c', script, 'berthd-in-netns', cgroups, DAEMON] };
}

function waitExit(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** conmon and container processes of a test daemon whose command line names its directory. */
function killStragglers(dir: string): void {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes(dir) && Number(pid) !== process.pid) process.kill(Number(pid), 'SIGKILL');
    } catch { /* gone */ }
  }
}

/**
 * berthd keeps its bridge and NAT rules across restarts, as dockerd keeps docker0; a test daemon's
 * are removed here: the bridge, its keeper tap, and every iptables (ip6tables for an IPv6 subnet) rule naming its subnet.
 */
export function removeNetworkLeftovers(bridge: string, subnet: string): void {
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout;
  for (const m of links.matchAll(/^\d+: ([^:@]+)[:@]/gm)) {
    const name = m[1]!;
    if (name === bridge || name.startsWith(`${bridge}-k`)) spawnSync('ip', ['link', 'del', name], { stdio: 'ignore' });
  }
  const ipt = subnet.includes(':') ? 'ip6tables' : 'iptables';
  for (const table of ['nat', 'filter']) {
    const rules = spawnSync(ipt, ['-w', '-t', table, '-S'], { encoding: 'utf8' }).stdout.split('\n');
    const chains = new Set<string>();
    for (const rule of rules.filter((r) => r.startsWith('-A ') && r.includes(subnet))) {
      const jump = / -j (NETAVARK-[0-9A-F]+)/.exec(rule);
      if (jump) chains.add(jump[1]!);
      spawnSync(ipt, ['-w', '-t', table, ...splitRule(rule.replace(/^-A /, '-D '))], { stdio: 'ignore' });
    }
    for (const chain of chains) {
      spawnSync(ipt, ['-w', '-t', table, '-F', chain], { stdio: 'ignore' });
      spawnSync(ipt, ['-w', '-t', table, '-X', chain], { stdio: 'ignore' });
    }
  }
}

/** Network namespaces a daemon made ahead and, killed, could not delete (names: src/network/netns-pool.ts). */
function removeSpareNamespaces(networksRoot: string): void {
  const prefix = `berth-p${createHash('sha256').update(networksRoot).digest('hex').slice(0, 8)}-`;
  for (const name of existsSync('/run/netns') ? readdirSync('/run/netns') : []) {
    if (name.startsWith(prefix)) spawnSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
  }
}

/** The daemon's published-port chains and their jumps (names: src/network/port-forward.ts, tagged as the namespaces above). */
function removePortChains(networksRoot: string): void {
  const tag = createHash('sha256').update(networksRoot).digest('hex').slice(0, 8);
  const chains = [`BERTH-DNAT-${tag}`, `BERTH-MASQ-${tag}`];
  const rules = spawnSync('iptables', ['-w', '-t', 'nat', '-S'], { encoding: 'utf8' }).stdout.split('\n');
  for (const rule of rules.filter((r) => /^-A (PREROUTING|OUTPUT|POSTROUTING) /.test(r) && chains.some((c) => r.endsWith(` -j ${c}`)))) {
    spawnSync('iptables', ['-w', '-t', 'nat', ...splitRule(rule.replace(/^-A /, '-D '))], { stdio: 'ignore' });
  }
  for (const chain of chains.filter((c) => rules.includes(`-N ${c}`))) {
    spawnSync('iptables', ['-w', '-t', 'nat', '-F', chain], { stdio: 'ignore' });
    spawnSync('iptables', ['-w', '-t', 'nat', '-X', chain], { stdio: 'ignore' });
  }
}

function splitRule(rule: string): string[] {
  return [...rule.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(dir));
}

/** Build the busybox image once per daemon. */
export async function withBusybox(d: TestDaemon): Promise<void> {
  const r = await d.berth(['image', 'mkimage', 'busybox'], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`mkimage busybox failed: ${r.stderr}`);
}

/** Poll until `check` returns a truthy value; fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** mulberry32: a small seeded generator, so that a randomized test run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
