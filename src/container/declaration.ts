import { InvalidArgumentError, NotImplementedError } from '../base/index.js';
import { checkMemoryResources } from '../oci/index.js';
import type { ContainerDeclaration, HostConfig } from './config.js';
import type { ImageRunConfig } from './ports.js';

/** Fill a create request's gaps from the image, as dockerd does before it stores the config. */
export function mergeImageConfig(c: ContainerDeclaration, img: ImageRunConfig | undefined): ContainerDeclaration {
  const out: ContainerDeclaration = { ...c };
  if (!img) return out;
  out.Env = mergeEnv(img.Env ?? [], c.Env ?? []);
  if (!out.User) out.User = img.User ?? '';
  if (!out.WorkingDir) out.WorkingDir = img.WorkingDir ?? '';
  // An entrypoint given at create time drops the image's CMD unless a CMD is given too.
  if (!c.Entrypoint || c.Entrypoint.length === 0) {
    out.Entrypoint = img.Entrypoint ?? null;
    if (!c.Cmd || c.Cmd.length === 0) out.Cmd = img.Cmd ?? null;
  }
  out.Labels = { ...(img.Labels ?? {}), ...(c.Labels ?? {}) };
  if (!out.StopSignal && img.StopSignal) out.StopSignal = img.StopSignal;
  if (img.ExposedPorts) out.ExposedPorts = { ...img.ExposedPorts, ...(c.ExposedPorts ?? {}) };
  if (img.Volumes) out.Volumes = { ...img.Volumes, ...(c.Volumes ?? {}) };
  if (out.Healthcheck === undefined && img.Healthcheck) out.Healthcheck = img.Healthcheck;
  if (!out.OnBuild && img.OnBuild) out.OnBuild = img.OnBuild;
  if (!out.Shell && img.Shell) out.Shell = img.Shell;
  return out;
}

/** Image env first, then the container's, a later KEY replacing an earlier one in place. */
export function mergeEnv(base: string[], over: string[]): string[] {
  const out: string[] = [];
  const index = new Map<string, number>();
  for (const kv of [...base, ...over]) {
    const key = kv.split('=', 1)[0]!;
    const at = index.get(key);
    if (at === undefined) { index.set(key, out.length); out.push(kv); } else out[at] = kv;
  }
  return out;
}

export function commandLine(c: ContainerDeclaration): { path: string; args: string[] } {
  const argv = [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])];
  if (argv.length === 0) throw new InvalidArgumentError('no command specified');
  return { path: argv[0]!, args: argv.slice(1) };
}

/** Reject host configs dockerd would reject, with its wording. */
export function validateHostConfig(h: HostConfig): void {
  const policy = h.RestartPolicy?.Name ?? '';
  if (!['', 'no', 'always', 'on-failure', 'unless-stopped'].includes(policy)) {
    throw new InvalidArgumentError(`invalid restart policy: unknown policy '${policy}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  if (h.RestartPolicy?.MaximumRetryCount && policy !== 'on-failure') {
    throw new InvalidArgumentError(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  }
  if ((h.RestartPolicy?.MaximumRetryCount ?? 0) < 0) {
    throw new InvalidArgumentError('invalid restart policy: maximum retry count must be a positive integer');
  }
  if (h.AutoRemove && policy !== '' && policy !== 'no') {
    throw new InvalidArgumentError(`can't create 'AutoRemove' container with restart policy`);
  }
  checkMemoryResources(h);
  // CPU settings are checked against the host's CPUs: validateCpuResources() (resource-checks.ts).
}

/** Defaults for fields a client may leave out, so records and inspect output are complete. */
export function normalizeHostConfig(h: Partial<HostConfig> | undefined): HostConfig {
  const hc = { ...(h ?? {}) } as HostConfig;
  hc.NetworkMode = !hc.NetworkMode || hc.NetworkMode === 'default' ? 'bridge' : hc.NetworkMode;
  hc.RestartPolicy = { Name: hc.RestartPolicy?.Name ?? 'no', MaximumRetryCount: hc.RestartPolicy?.MaximumRetryCount ?? 0 };
  if (hc.RestartPolicy.Name === '') hc.RestartPolicy.Name = 'no';
  hc.AutoRemove = Boolean(hc.AutoRemove);
  hc.Privileged = Boolean(hc.Privileged);
  hc.ReadonlyRootfs = Boolean(hc.ReadonlyRootfs);
  hc.Memory = hc.Memory ?? 0;
  hc.MemorySwap = hc.MemorySwap ?? 0;
  // dockerd's adaptContainerSettings: a memory limit without a swap limit gets twice as much.
  if (hc.Memory > 0 && hc.MemorySwap === 0) hc.MemorySwap = hc.Memory * 2;
  hc.NanoCpus = hc.NanoCpus ?? 0;
  hc.CpuShares = hc.CpuShares ?? 0;
  hc.CpuPeriod = hc.CpuPeriod ?? 0;
  hc.CpuQuota = hc.CpuQuota ?? 0;
  hc.CpusetCpus = hc.CpusetCpus ?? '';
  hc.CpusetMems = hc.CpusetMems ?? '';
  hc.ShmSize = hc.ShmSize || 64 * 1024 * 1024;
  // An empty Type means the daemon's default driver; the options given with it are kept.
  hc.LogConfig = { Type: hc.LogConfig?.Type || 'json-file', Config: hc.LogConfig?.Config ?? {} };
  return hc;
}

export function normalizeConfig(c: Partial<ContainerDeclaration> | undefined): ContainerDeclaration {
  const cc = { ...(c ?? {}) } as ContainerDeclaration;
  cc.Hostname = cc.Hostname ?? '';
  cc.Domainname = cc.Domainname ?? '';
  cc.User = cc.User ?? '';
  cc.AttachStdin = Boolean(cc.AttachStdin);
  cc.AttachStdout = Boolean(cc.AttachStdout);
  cc.AttachStderr = Boolean(cc.AttachStderr);
  cc.Tty = Boolean(cc.Tty);
  cc.OpenStdin = Boolean(cc.OpenStdin);
  cc.StdinOnce = Boolean(cc.StdinOnce);
  cc.Env = cc.Env ?? [];
  cc.Cmd = typeof cc.Cmd === 'string' ? [cc.Cmd] : cc.Cmd ?? null;
  cc.Entrypoint = typeof cc.Entrypoint === 'string' ? [cc.Entrypoint] : cc.Entrypoint ?? null;
  cc.Image = cc.Image ?? '';
  cc.WorkingDir = cc.WorkingDir ?? '';
  cc.Labels = cc.Labels ?? {};
  return cc;
}

/**
 * Options whose features arrive in later berth versions are refused, never silently ignored:
 * a container that looks published or mounted but is not would be worse than an error.
 */
export function refuseUnsupported(h: HostConfig, opts: { runtimes: readonly string[] }): void {
  const nonEmpty = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 : typeof v === 'object' && v !== null && Object.keys(v).length > 0);
  const unsupported: Array<[boolean, string]> = [
    [nonEmpty(h.Devices) || nonEmpty(h.DeviceRequests), 'devices (--device, --gpus)'],
    [nonEmpty(h.Sysctls), 'sysctls (--sysctl)'],
    [nonEmpty(h.GroupAdd), 'supplementary groups (--group-add)'],
    [!['', 'private', 'shareable'].includes(String(h.IpcMode ?? '')), `IPC mode "${String(h.IpcMode)}" (--ipc)`],
    [Boolean(h.PidMode), `PID mode "${String(h.PidMode)}" (--pid)`],
    [Boolean(h.UTSMode), `UTS mode "${String(h.UTSMode)}" (--uts)`],
    [Boolean(h.UsernsMode), 'user namespaces (--userns)'],
    [Boolean(h.CgroupParent), 'a cgroup parent (--cgroup-parent)'],
    [Boolean(h.OomKillDisable), '--oom-kill-disable'],
    [typeof h.MemorySwappiness === 'number' && h.MemorySwappiness >= 0, 'memory swappiness (--memory-swappiness)'],
    [nonEmpty(h.BlkioWeightDevice) || nonEmpty(h.BlkioDeviceReadBps) || nonEmpty(h.BlkioDeviceWriteBps) || nonEmpty(h.BlkioDeviceReadIOps) || nonEmpty(h.BlkioDeviceWriteIOps), 'block I/O limits (--blkio-*)'],
    [Boolean(h.CpuRealtimePeriod) || Boolean(h.CpuRealtimeRuntime), 'realtime CPU scheduling (--cpu-rt-*)'],
    [nonEmpty(h.StorageOpt), 'storage options (--storage-opt)'],
  ];
  const refused = unsupported.filter(([on]) => on).map(([, what]) => what);
  if (refused.length) throw new NotImplementedError(`berth does not support ${refused.join(', ')} yet`);
  const logType = h.LogConfig?.Type ?? '';
  if (!['', 'json-file', 'k8s-file'].includes(logType)) throw new InvalidArgumentError(`logger: no log driver named '${logType}' is registered`);
  if (h.Runtime && !opts.runtimes.includes(h.Runtime)) throw new InvalidArgumentError(`unknown or invalid runtime name: ${h.Runtime}`);
}
