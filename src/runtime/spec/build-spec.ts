import { InternalError } from '../../base/index.js';
import {
  OCI_RUNTIME_SPEC_VERSION,
  type LinuxNamespace, type RuntimeMount, type RuntimeProcess, type RuntimeSpec,
} from '../../oci/index.js';
import { containerCapabilities } from './capabilities.js';
import { defaultMounts, MASKED_PATHS, mountDepth, READONLY_PATHS, WRITABLE_UNDER_READONLY_ROOTFS } from './confinement.js';
import { containerEnv } from './env.js';
import { buildResources } from './resources.js';
import { buildRlimits } from './rlimits.js';
import { toOciSeccomp, type DockerSeccompProfile } from './seccomp.js';
import type { SpecInput } from './spec-input.js';

export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;
export const DEFAULT_INIT_PATH = '/usr/bin/catatonit';
/** Where Docker puts its init inside the container. */
export const CONTAINER_INIT_PATH = '/sbin/docker-init';

// Docker sets these in every container with its own network namespace.
const NETNS_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv4.ip_unprivileged_port_start': '0',
  'net.ipv4.ping_group_range': '0 2147483647',
};

/**
 * The OCI runtime config for one container, confined as Docker confines it by default. Pure:
 * host facts (capabilities, limits, devices, seccomp profile) come in through the input.
 */
export function buildSpec(input: SpecInput): RuntimeSpec {
  const caps = containerCapabilities(input);
  const spec: RuntimeSpec = {
    ociVersion: OCI_RUNTIME_SPEC_VERSION,
    process: buildProcess(input, caps),
    root: { path: input.rootfs, readonly: input.readonlyRootfs },
    // The runtime refuses a hostname without a UTS namespace of the container's own.
    ...(input.namespaces.uts === 'host' ? {} : { hostname: input.hostname }),
    mounts: buildMounts(input),
    linux: {
      namespaces: buildNamespaces(input),
      devices: input.privileged ? [...(input.hostDevices ?? [])] : [],
      cgroupsPath: input.cgroupsPath,
      resources: buildResources(input.resources, { privileged: input.privileged }),
    },
  };
  if (input.domainname && input.namespaces.uts !== 'host') spec.domainname = input.domainname;
  if (input.namespaces.network.mode !== 'host') spec.linux.sysctl = { ...NETNS_SYSCTLS };
  const seccomp = seccompProfileFor(input);
  if (seccomp) {
    // The rules are chosen by the container's own capability set (moby's setupSeccomp).
    const oci = toOciSeccomp(seccomp, { capabilities: caps, arch: input.arch ?? 'x64', kernelVersion: input.kernelVersion ?? '0.0' });
    if (oci) spec.linux.seccomp = oci;
  }
  if (!input.privileged) {
    spec.linux.maskedPaths = [...MASKED_PATHS, ...(input.hostMaskedPaths ?? [])];
    spec.linux.readonlyPaths = [...READONLY_PATHS];
  }
  if (input.annotations && Object.keys(input.annotations).length > 0) spec.annotations = { ...input.annotations };
  return spec;
}

/**
 * As dockerd: unconfined gets no filter; a privileged container only the profile it names;
 * otherwise its own profile or the daemon's default.
 */
function seccompProfileFor(input: SpecInput): DockerSeccompProfile | undefined {
  if (input.seccomp === 'unconfined') return undefined;
  if (input.seccomp !== 'default') return input.seccomp.profile;
  if (input.privileged) return undefined;
  if (!input.seccompProfile) throw new InternalError('Cannot apply the default seccomp profile: no profile was loaded');
  return input.seccompProfile;
}

function buildProcess(input: SpecInput, caps: string[]): RuntimeProcess {
  const args = input.init ? [CONTAINER_INIT_PATH, '--', ...input.args] : [...input.args];
  const p: RuntimeProcess = {
    terminal: input.tty,
    user: { uid: input.user.uid, gid: input.user.gid, additionalGids: [input.user.gid, ...input.user.additionalGids] },
    args,
    env: containerEnv(input.env, { hostname: input.hostname, tty: input.tty }),
    cwd: input.cwd || '/',
    capabilities: { bounding: caps, effective: [...caps], permitted: [...caps] },
    rlimits: buildRlimits(input.ulimits, input.hostRlimits),
  };
  if (input.tty && input.consoleSize) p.consoleSize = { ...input.consoleSize };
  if (input.noNewPrivileges) p.noNewPrivileges = true;
  if (input.oomScoreAdj !== undefined) p.oomScoreAdj = input.oomScoreAdj;
  return p;
}

function buildNamespaces(input: SpecInput): LinuxNamespace[] {
  const ns: LinuxNamespace[] = [{ type: 'mount' }];
  const net = input.namespaces.network;
  if (net.mode !== 'host') ns.push(net.path ? { type: 'network', path: net.path } : { type: 'network' });
  const { uts, pid, ipc, cgroup } = input.namespaces;
  if (uts !== 'host') ns.push({ type: 'uts' });
  for (const [type, share] of [['pid', pid], ['ipc', ipc]] as const) {
    if (share === undefined) ns.push({ type });
    else if (share !== 'host') ns.push({ type, path: share.path });
  }
  if (cgroup === 'private') ns.push({ type: 'cgroup' });
  return ns;
}

/** Docker's order: defaults (minus those a user mount replaces), init, then user mounts parents-first. */
function buildMounts(input: SpecInput): RuntimeMount[] {
  const fileOpts = input.readonlyRootfs ? ['rbind', 'ro', 'rprivate'] : ['rbind', 'rprivate'];
  const fileMounts: RuntimeMount[] = [
    { destination: '/etc/resolv.conf', type: 'bind', source: input.files.resolvConf, options: [...fileOpts] },
    { destination: '/etc/hostname', type: 'bind', source: input.files.hostname, options: [...fileOpts] },
    { destination: '/etc/hosts', type: 'bind', source: input.files.hosts, options: [...fileOpts] },
  ];
  const extra = input.extraMounts.map((m) => ({ ...m, options: m.options ? [...m.options] : undefined }));
  const userDest = new Set(extra.map((m) => m.destination));
  const user = [...extra, ...fileMounts.filter((m) => !userDest.has(m.destination))]
    .map((m, i) => ({ m, i }))
    .sort((a, b) => mountDepth(a.m.destination) - mountDepth(b.m.destination) || a.i - b.i)
    .map(({ m }) => stripUndefined(m));
  for (const m of user) userDest.add(m.destination);

  const devMounted = userDest.has('/dev');
  const mounts = defaultMounts(input.shmSize ?? DEFAULT_SHM_SIZE).filter((m) =>
    !userDest.has(m.destination) && !(devMounted && m.destination.startsWith('/dev/'))
    && !(m.destination === '/dev/shm' && input.shm === 'none'));
  // A shared IPC namespace shares its /dev/shm too: the host's or the donor container's, bound in.
  const shm = mounts.findIndex((m) => m.destination === '/dev/shm');
  if (shm >= 0 && typeof input.shm === 'object') mounts[shm] = { destination: '/dev/shm', type: 'bind', source: input.shm.source, options: ['rbind', 'rprivate'] };
  if (input.readonlyRootfs) {
    for (const m of mounts) {
      if (!WRITABLE_UNDER_READONLY_ROOTFS.has(m.destination) && !m.options?.includes('ro')) m.options = [...(m.options ?? []), 'ro'];
    }
  }
  if (input.privileged) {
    for (const m of mounts) {
      if (m.destination === '/sys' || m.type === 'cgroup') m.options = m.options?.filter((o) => o !== 'ro');
    }
  }
  if (input.init) {
    mounts.push({ destination: CONTAINER_INIT_PATH, type: 'bind', source: input.initPath ?? DEFAULT_INIT_PATH, options: ['bind', 'ro'] });
  }
  return [...mounts, ...user];
}

function stripUndefined(m: RuntimeMount): RuntimeMount {
  const out: RuntimeMount = { destination: m.destination };
  if (m.type !== undefined) out.type = m.type;
  if (m.source !== undefined) out.source = m.source;
  if (m.options !== undefined) out.options = m.options;
  return out;
}
