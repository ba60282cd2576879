import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { InvalidArgumentError, errnoCode, isLogLevel, type LogLevel } from '../base/index.js';
import { bridgeOptions, normalizeBoolFlags, type BridgeOptions } from './bridge-options.js';
import type { RegistryOptions } from '../registry/index.js';
import { REGISTRY_FILE_KEYS, registryConfig } from './registry-config.js';

export interface DaemonConfig {
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  configFile: string;
  logLevel: LogLevel;
  defaultRuntime: 'runc' | 'crun' | undefined;
  pidfile: string;
  /** The default bridge: interface name and subnet; "none" (`-b none`): no default bridge network. */
  bridge: string;
  bip: string | undefined;
  /** --icc, --ip, --mtu, --userland-proxy, --fixed-cidr, --ip-forward, --ip-masq, --iptables, --default-address-pools (bridge-options.ts). */
  bridgeOptions: BridgeOptions;
  /** daemon.json keys Docker knows that berth reads but does not act on yet. */
  ignoredKeys: string[];
  /** `--cleanup`: recover, then remove the host state berthd installed (its bridge and rules) and exit. */
  cleanup: boolean;
  /** Mirrors, insecure registries, certs.d roots and transfer limits of the registry client. */
  registry: RegistryOptions;
  /** `--experimental`: Docker's experimental endpoints (checkpoints) served, and reported so clients show them. */
  experimental: boolean;
}

export const DEFAULTS = {
  host: 'unix:///run/berth/berth.sock',
  dataRoot: '/var/lib/berth',
  execRoot: '/run/berth',
  configFile: '/etc/berth/daemon.json',
  pidfile: '/run/berth/berthd.pid',
  bridge: 'berth0',
};

/** daemon.json keys (dockerd's) that map onto our flags. */
const FILE_KEYS: Record<string, keyof DaemonConfig | 'debug' | keyof BridgeOptions> = {
  hosts: 'hosts', 'data-root': 'dataRoot', 'exec-root': 'execRoot', 'log-level': 'logLevel',
  'default-runtime': 'defaultRuntime', pidfile: 'pidfile', debug: 'debug', bridge: 'bridge', bip: 'bip',
  icc: 'icc', ip: 'ip', mtu: 'mtu', 'userland-proxy': 'userlandProxy', experimental: 'experimental',
  'fixed-cidr': 'fixedCidr', 'ip-forward': 'ipForward', 'ip-masq': 'ipMasq', iptables: 'iptables', 'default-address-pools': 'defaultAddressPools',
};

/** Keys dockerd accepts that berth does not act on yet: accepted and reported, never silently. */
const KNOWN_DOCKER_KEYS = new Set([
  'log-driver', 'log-opts', 'labels', 'storage-driver', 'storage-opts', 'runtimes',
  'ip6tables', 'ipv6', 'dns', 'dns-opts',
  'dns-search', 'registry-mirrors', 'insecure-registries', 'max-concurrent-downloads', 'max-concurrent-uploads',
  'max-download-attempts', 'live-restore', 'shutdown-timeout', 'default-ulimits', 'default-shm-size', 'cgroup-parent',
  'exec-opts', 'seccomp-profile', 'no-new-privileges', 'userns-remap', 'rootless', 'features', 'builder',
  'min-api-version', 'tls', 'tlscacert', 'tlscert', 'tlskey', 'tlsverify', 'proxies', 'containerd', 'group',
]);

export const USAGE = `Usage:	berthd [OPTIONS]

A self-sufficient runtime for containers, compatible with Docker's Engine API.

Options:
      --config-file string        Daemon configuration file (default "${DEFAULTS.configFile}")
      --data-root string          Root directory of persistent berth state (default "${DEFAULTS.dataRoot}")
  -D, --debug                     Enable debug mode
      --experimental              Enable experimental features
      --default-runtime string    Default OCI runtime for containers: runc or crun (default: crun where it works, else runc)
      --exec-root string          Root directory for execution state files (default "${DEFAULTS.execRoot}")
  -H, --host list                 Daemon socket(s) to connect to (default ${DEFAULTS.host})
  -b, --bridge string             Name of the default bridge interface, or "none" for no default bridge (default "${DEFAULTS.bridge}")
      --bip string                The default bridge's address with its prefix, e.g. 172.18.0.1/16 (a network address: the subnet, gateway .1)
      --icc                       Enable inter-container communication on the default bridge (default true)
      --ip string                 Host IP of published ports given without one (default "0.0.0.0")
      --fixed-cidr string         IPv4 subrange of the default bridge's subnet that containers get addresses from
      --default-address-pools pool-options
                                  Default address pools of user networks, e.g. base=10.10.0.0/16,size=24 (repeatable)
      --ip-forward                Enable net.ipv4.ip_forward (default true)
      --ip-masq                   Enable IP masquerading for the default bridge's subnet (default true)
      --iptables                  Enable addition of iptables rules (default true)
      --mtu int                   MTU of the default bridge and its containers (default 1500)
      --userland-proxy            Publish IPv6 bindings into IPv4 networks (and every port without iptables) through a proxy in berthd (default true)
      --certs-dir list            certs.d root for registry CAs and client certificates (default /etc/berth/certs.d and /etc/docker/certs.d)
      --insecure-registry list    Enable insecure registry communication
      --registry-mirror list      Preferred registry mirror
      --cleanup                   Remove the bridge and firewall rules this daemon installed, then exit (no container may run)
  -h, --help                      Print usage
  -l, --log-level string          Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")
  -p, --pidfile string            Path to use for daemon PID file (default "${DEFAULTS.pidfile}")
  -v, --version                   Print version information and quit
`;

export type ParsedArgs = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; config: DaemonConfig };

export async function loadConfig(argv: string[]): Promise<ParsedArgs> {
  let parsed;
  try {
    parsed = parseArgs({
      args: normalizeBoolFlags(argv),
      strict: true,
      options: {
        host: { type: 'string', short: 'H', multiple: true },
        'data-root': { type: 'string' },
        'exec-root': { type: 'string' },
        'config-file': { type: 'string' },
        'log-level': { type: 'string', short: 'l' },
        'default-runtime': { type: 'string' },
        pidfile: { type: 'string', short: 'p' },
        bridge: { type: 'string', short: 'b' },
        'fixed-cidr': { type: 'string' },
        'default-address-pools': { type: 'string', multiple: true },
        'ip-forward': { type: 'string' },
        'ip-masq': { type: 'string' },
        iptables: { type: 'string' },
        bip: { type: 'string' },
        icc: { type: 'string' },
        ip: { type: 'string' },
        mtu: { type: 'string' },
        'userland-proxy': { type: 'string' },
        debug: { type: 'boolean', short: 'D' },
        experimental: { type: 'boolean' },
        cleanup: { type: 'boolean' },
        'certs-dir': { type: 'string', multiple: true },
        'insecure-registry': { type: 'string', multiple: true },
        'registry-mirror': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message.replace(/^Unknown option '([^']+)'.*$/s, 'unknown flag: $1') : String(e));
  }
  const v = parsed.values;
  if (v.help) return { kind: 'help' };
  if (v.version) return { kind: 'version' };
  if (parsed.positionals.length) throw new InvalidArgumentError(`berthd takes no arguments, got "${parsed.positionals.join(' ')}"`);

  const configFile = v['config-file'] ?? DEFAULTS.configFile;
  const file = await readDaemonJson(configFile, v['config-file'] !== undefined);
  const conflicts = Object.entries(FILE_KEYS)
    .filter(([key, field]) => key in file && flagFor(field, v) !== undefined)
    .map(([key]) => `${key}: (from flag: ${String(flagFor(FILE_KEYS[key]!, v))}, from file: ${JSON.stringify(file[key])})`);
  if (conflicts.length) throw new InvalidArgumentError(`the following directives are specified both as a flag and in the configuration file: ${conflicts.join(', ')}`);

  const pick = <T>(flag: T | undefined, key: string, dflt: T): T => flag ?? (file[key] as T | undefined) ?? dflt;
  const debug = Boolean(v.debug ?? file.debug);
  if (file.experimental !== undefined && typeof file.experimental !== 'boolean') {
    throw new InvalidArgumentError(`unable to configure the daemon with file ${configFile}: experimental must be a boolean, got ${JSON.stringify(file.experimental)}`);
  }
  const logLevel = pick(v['log-level'], 'log-level', debug ? 'debug' : 'info');
  if (!isLogLevel(logLevel)) throw new InvalidArgumentError(`unable to parse logging level: ${logLevel}`);
  const runtime = pick<string | undefined>(v['default-runtime'], 'default-runtime', undefined);
  if (runtime !== undefined && runtime !== 'runc' && runtime !== 'crun') {
    throw new InvalidArgumentError(`invalid default runtime "${runtime}": expected runc or crun`);
  }
  const hosts = v.host ?? (file.hosts as string[] | undefined) ?? [DEFAULTS.host];
  for (const h of hosts) validateHost(h);
  const bridge = pick(v.bridge, 'bridge', DEFAULTS.bridge);
  const bip = pick<string | undefined>(v.bip, 'bip', undefined);
  // berth's --bridge names the bridge it makes, so it goes with --bip; only "none" excludes it
  if (bridge === 'none' && bip) {
    throw new InvalidArgumentError('You specified -b & --bip, mutually exclusive options. Please specify only one');
  }
  return {
    kind: 'run',
    config: {
      hosts,
      dataRoot: pick(v['data-root'], 'data-root', DEFAULTS.dataRoot),
      execRoot: pick(v['exec-root'], 'exec-root', DEFAULTS.execRoot),
      configFile,
      logLevel,
      defaultRuntime: runtime,
      pidfile: pick(v.pidfile, 'pidfile', DEFAULTS.pidfile),
      bridge,
      bip,
      bridgeOptions: bridgeOptions(v, file),
      ignoredKeys: Object.keys(file).filter((k) => KNOWN_DOCKER_KEYS.has(k)),
      cleanup: Boolean(v.cleanup),
      experimental: Boolean(v.experimental ?? file.experimental),
      registry: registryConfig(file, { mirrors: v['registry-mirror'], insecure: v['insecure-registry'], certsDirs: v['certs-dir'] }),
    },
  };
}

function flagFor(field: string, v: Record<string, unknown>): unknown {
  const flag = field === 'hosts' ? 'host' : field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return v[flag];
}

async function readDaemonJson(path: string, explicit: boolean): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' && !explicit) return {};
    throw new InvalidArgumentError(`unable to configure the daemon with file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!text.trim()) return {};
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InvalidArgumentError(`unable to configure the daemon with file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InvalidArgumentError(`unable to configure the daemon with file ${path}: expected a JSON object`);
  const unknown = Object.keys(doc).filter((k) => !(k in FILE_KEYS) && !KNOWN_DOCKER_KEYS.has(k) && !REGISTRY_FILE_KEYS.includes(k));
  if (unknown.length) throw new InvalidArgumentError(`the following directives don't match any configuration option: ${unknown.join(', ')}`);
  return doc as Record<string, unknown>;
}

/** unix:// anywhere; tcp:// only on loopback until TLS exists. */
export function validateHost(h: string): void {
  if (h.startsWith('unix://')) return;
  const tcp = parseTcpHost(h);
  // An address is judged here; a name only once resolved (listen.ts), since "127.evil.example" is a name like any other.
  if (isIP(tcp.host) && !isLoopback(tcp.host)) {
    throw new InvalidArgumentError(`refusing to listen on ${h}: plain TCP is allowed on loopback only until TLS is configured`);
  }
  if (tcp.host === '') throw new InvalidArgumentError(`refusing to listen on ${h}: plain TCP is allowed on loopback only until TLS is configured`);
}

/** The host and port of a `tcp://host:port` address (IPv6 in brackets). */
export function parseTcpHost(h: string): { host: string; port: number } {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/[\]]*):(\d+)$/.exec(h);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new InvalidArgumentError(`invalid host "${h}": expected unix:///path or tcp://127.0.0.1:port`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** 127.0.0.0/8, ::1, and IPv4 loopback written as IPv6. */
export function isLoopback(addr: string): boolean {
  const v4 = addr.toLowerCase().replace(/^::ffff:/, '');
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return isIP(addr) === 6 && /^(0{0,4}:){2,7}0{0,3}1$|^::1$/i.test(addr);
}
