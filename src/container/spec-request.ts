import { checkMemoryResources } from '../oci/index.js';
import type { ContainerRecord, HostConfig } from './config.js';
import { parseMounts, resolveMounts } from './mounts.js';
import type { SpecRequest } from './ports.js';
import { parseSecurityOpts } from './security-opts.js';

const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** What start learnt before the spec: the mounted rootfs, the resolved user, the network and the files it wrote. */
export interface StartFacts {
  rootfs: string;
  user: { uid: number; gid: number; additionalGids: number[]; home: string };
  /** The hostname the container sees (Config.Hostname, else the host's). */
  hostname: string;
  files: SpecRequest['files'];
  network: SpecRequest['network'];
  /** A volume's host path (the volume service's); without it a volume mount is refused. */
  volumePath?: (name: string) => string;
  /** The mounts start prepared (binds resolved, volumes mounted); they replace HostConfig's. */
  mounts?: SpecRequest['mounts'];
}

/**
 * A container record's declaration (Config + HostConfig) as the runtime-spec request: pure, every
 * case pinned by a golden file in testdata/spec-request/. Docker's PATH, HOSTNAME and TERM
 * defaults are the spec builder's; HOME comes from the user here.
 */
export function toSpecRequest(rec: Pick<ContainerRecord, 'id' | 'path' | 'args' | 'config' | 'hostConfig'>, facts: StartFacts): SpecRequest {
  const c = rec.config;
  const h = rec.hostConfig;
  checkMemoryResources(h);
  const env = c.Env.some((e) => e.startsWith('HOME=')) ? c.Env : [...c.Env, `HOME=${facts.user.home || '/'}`];
  return {
    id: rec.id, rootfs: facts.rootfs, readonlyRootfs: h.ReadonlyRootfs, args: [rec.path, ...rec.args], env,
    cwd: c.WorkingDir || '/', user: facts.user, tty: c.Tty, openStdin: c.OpenStdin,
    hostname: facts.hostname, domainname: c.Domainname, files: facts.files,
    network: facts.network,
    mounts: facts.mounts ?? resolveMounts(parseMounts(h), facts.volumePath),
    resources: {
      memory: h.Memory || undefined, memorySwap: h.MemorySwap || undefined, nanoCpus: h.NanoCpus || undefined,
      cpuShares: h.CpuShares || undefined, cpuQuota: h.CpuQuota || undefined, cpuPeriod: h.CpuPeriod || undefined,
      cpusetCpus: h.CpusetCpus || undefined, cpusetMems: h.CpusetMems || undefined,
      pidsLimit: h.PidsLimit && h.PidsLimit > 0 ? h.PidsLimit : undefined,
      memoryReservation: h.MemoryReservation || undefined, blkioWeight: h.BlkioWeight || undefined,
    },
    ulimits: (h.Ulimits ?? []).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard })),
    privileged: h.Privileged, capAdd: h.CapAdd ?? [], capDrop: h.CapDrop ?? [], init: Boolean(h.Init),
    shmSize: h.ShmSize ?? DEFAULT_SHM_SIZE,
    ...parseSecurityOpts(h.SecurityOpt, { decodeProfile: true }),
    ...(typeof h.OomScoreAdj === 'number' && h.OomScoreAdj !== 0 ? { oomScoreAdj: h.OomScoreAdj } : {}),
  };
}
