import { readFileSync } from 'node:fs';
import { arch, cpus, hostname, release, totalmem } from 'node:os';
import type { SystemInfo, SystemVersion } from '../api/types/index.js';
import { BUILD_INFO } from '../base/index.js';

export const BERTH_VERSION = '0.1.0';
export const API_VERSION = '1.47';
export const MIN_API_VERSION = '1.24';

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };
const UNAME: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };

export function versionInfo(opts: { experimental: boolean }): SystemVersion {
  const base = { Version: BERTH_VERSION, ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, GitCommit: BUILD_INFO.commit, GoVersion: `node${process.versions.node}`, Os: 'linux', Arch: GOARCH[arch()] ?? arch(), KernelVersion: release(), BuildTime: BUILD_INFO.time };
  return {
    Platform: { Name: `berth ${BERTH_VERSION}` },
    Components: [{ Name: 'Engine', Version: BERTH_VERSION, Details: { ...base, Experimental: String(opts.experimental) } }],
    ...base,
    Experimental: opts.experimental,
  };
}

export interface InfoFacts {
  id: string;
  dataRoot: string;
  containers: { running: number; paused: number; stopped: number };
  images: number;
  runtimes: Array<{ name: string; path: string; usable: boolean; reason?: string }>;
  defaultRuntime: string;
  bridge: string;
  logLevel: string;
  cgroupVersion: '1' | '2';
  warnings: string[];
  experimental: boolean;
  /** registry-mirrors and insecure-registries, as dockerd's RegistryConfig shows them. */
  registry?: { mirrors: string[]; insecure: string[] };
  /** --default-address-pools, when given. */
  addressPools?: ReadonlyArray<{ base: string; size: number }>;
}

function registryConfig(r: InfoFacts['registry']): SystemInfo['RegistryConfig'] {
  const mirrors = (r?.mirrors ?? []).map((m) => (m.endsWith('/') ? m : `${m}/`));
  const insecure = r?.insecure ?? [];
  const cidrs = ['127.0.0.0/8', ...insecure.filter((i) => /\/\d+$/.test(i))];
  const hosts = insecure.filter((i) => !/\/\d+$/.test(i)).map((i) => i.replace(/^https?:\/\//, ''));
  const IndexConfigs: Record<string, unknown> = { 'docker.io': { Name: 'docker.io', Mirrors: mirrors, Secure: true, Official: true } };
  for (const h of hosts) IndexConfigs[h] = { Name: h, Mirrors: [], Secure: false, Official: false };
  return { IndexConfigs, InsecureRegistryCIDRs: cidrs, Mirrors: mirrors } as SystemInfo['RegistryConfig'];
}

export function systemInfo(f: InfoFacts): SystemInfo {
  const { running, paused, stopped } = f.containers;
  return {
    ID: f.id,
    Containers: running + paused + stopped,
    ContainersRunning: running,
    ContainersPaused: paused,
    ContainersStopped: stopped,
    Images: f.images,
    Driver: 'overlay2',
    DriverStatus: [['Backing Filesystem', 'extfs'], ['Supports d_type', 'true'], ['Using metacopy', 'false'], ['Native Overlay Diff', 'true']],
    DockerRootDir: f.dataRoot,
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['k8s-file'] },
    MemoryLimit: true,
    SwapLimit: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: readSysctl('/proc/sys/net/ipv4/ip_forward') !== '0',
    ...(f.addressPools ? { DefaultAddressPools: f.addressPools.map((p) => ({ Base: p.base, Size: p.size })) } : {}),
    Debug: f.logLevel === 'debug',
    NFd: 0,
    OomKillDisable: true,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: f.cgroupVersion,
    NEventsListener: 0,
    KernelVersion: release(),
    OperatingSystem: osName(),
    OSVersion: osField('VERSION_ID'),
    OSType: 'linux',
    Architecture: UNAME[arch()] ?? arch(),
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: registryConfig(f.registry),
    NCPU: cpus().length,
    MemTotal: totalmem(),
    GenericResources: null,
    HttpProxy: process.env.HTTP_PROXY ?? '',
    HttpsProxy: process.env.HTTPS_PROXY ?? '',
    NoProxy: process.env.NO_PROXY ?? '',
    Name: hostname(),
    Labels: [],
    ExperimentalBuild: f.experimental,
    ServerVersion: BERTH_VERSION,
    Runtimes: Object.fromEntries(f.runtimes.filter((r) => r.usable).map((r) => [r.name, { path: r.path }])),
    DefaultRuntime: f.defaultRuntime,
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: 'catatonit',
    ContainerdCommit: { ID: '' },
    RuncCommit: { ID: '' },
    InitCommit: { ID: '' },
    SecurityOptions: ['name=seccomp,profile=builtin'],
    Warnings: f.warnings,
  } as unknown as SystemInfo;
}

let osRelease: string | undefined;

/** A field of /etc/os-release, read once: it does not change while the daemon runs. */
function osField(key: string): string {
  if (osRelease === undefined) {
    try {
      osRelease = readFileSync('/etc/os-release', 'utf8');
    } catch {
      osRelease = '';
    }
  }
  return new RegExp(`^${key}="?([^"\\n]*)"?$`, 'm').exec(osRelease)?.[1] ?? '';
}

function osName(): string {
  return osField('PRETTY_NAME') || 'Linux';
}

/** A /proc/sys value, '' when unreadable. */
function readSysctl(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
