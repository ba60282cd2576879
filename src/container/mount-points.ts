import { mkdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, InvalidArgumentError, NotFoundError, errnoCode } from '../base/index.js';
import type { UserMount } from '../runtime/index.js';
import type { ContainerDeclaration, ContainerRecord, HostConfig } from './config.js';
import type { ContainerCore } from './core.js';
import { cleanPath, parseMounts, toUserMount, type MountDeclaration, type VolumeDeclaration } from './mounts.js';

/**
 * The container's mounts as dockerd registers them at create: the mounts of each
 * `--volumes-from` container (mode ro/rw overriding), replaced at the same destination by the
 * container's own (Binds, Mounts, Tmpfs), then an anonymous volume for each VOLUME of the
 * image (and `-v /path`) that nothing mounts yet. Volumes are created (or found) here, so that
 * the record names each one; a failure removes the anonymous volumes it made.
 */
export async function declareMounts(core: ContainerCore, c: ContainerDeclaration, h: HostConfig): Promise<MountDeclaration[]> {
  const byDest = new Map<string, MountDeclaration>();
  for (const spec of (h.VolumesFrom as string[] | null | undefined) ?? []) {
    for (const m of inheritedMounts(core, spec)) byDest.set(cleanPath(m.destination), m);
  }
  for (const m of parseMounts(h)) byDest.set(cleanPath(m.destination), m);
  for (const dest of Object.keys(c.Volumes ?? {})) {
    if (!dest.startsWith('/')) throw new InvalidArgumentError(`invalid mount config for type "volume": invalid mount path: '${dest}' mount path must be absolute`);
    if (cleanPath(dest) === '/') throw new InvalidArgumentError('invalid mount config for type "volume": invalid specification: destination can\'t be \'/\'');
    if (!byDest.has(cleanPath(dest))) byDest.set(cleanPath(dest), { type: 'volume', name: '', destination: dest, readOnly: false, noCopy: false, anonymous: true, mode: '' });
  }
  const out = [...byDest.values()];
  const made: string[] = [];
  try {
    for (const [i, m] of out.entries()) {
      if (m.type === 'bind' && !m.createSource) await requireBindSource(m.source);
      if (m.type !== 'volume' || m.source) continue;
      if (!core.d.volumes) throw new InvalidArgumentError(`Cannot mount a volume at ${m.destination}: this daemon has no volume service`);
      const v = await core.d.volumes.create({
        ...(m.name ? { name: m.name } : {}), driver: m.driver || String(h.VolumeDriver ?? '') || 'local',
        driverOpts: m.driverOptions ?? null, labels: m.labels ?? null, anonymous: !m.name,
      });
      if (!m.name) made.push(v.name);
      out[i] = { ...m, name: v.name, driver: v.driver, source: v.mountpoint };
    }
  } catch (e) {
    await removeVolumes(core, made);
    throw e;
  }
  return out;
}

/** `--volumes-from CONTAINER[:ro|rw]`: the container's binds and volumes (not its tmpfs), the mode overriding theirs. */
function inheritedMounts(core: ContainerCore, spec: string): MountDeclaration[] {
  const colon = spec.lastIndexOf(':');
  const [ref, mode] = colon > 0 ? [spec.slice(0, colon), spec.slice(colon + 1)] : [spec, ''];
  if (mode && mode !== 'ro' && mode !== 'rw') throw new InvalidArgumentError(`invalid mode: ${mode}`);
  const src = core.d.store.get(ref);
  const mounts = src.mountPoints ?? parseMounts(src.hostConfig);
  return mounts.filter((m) => m.type !== 'tmpfs').map((m) => ({ ...m, readOnly: mode ? mode === 'ro' : m.readOnly }));
}

async function requireBindSource(source: string): Promise<void> {
  try {
    await stat(source);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') throw new InvalidArgumentError(`invalid mount config for type "bind": bind source path does not exist: ${source}`);
    throw e;
  }
}

/**
 * The record's mounts made ready for the runtime at start: each bind's source resolved on the
 * host (symlinks followed as the kernel would, a missing `-v` directory made), each volume
 * mounted and, when empty and allowed, filled from the image (copy-up). The volumes mounted are
 * kept in core.volumeMounts for cleanupRuntime; a failure unmounts them.
 */
export async function prepareMounts(core: ContainerCore, rec: ContainerRecord, rootfs: string): Promise<UserMount[]> {
  const decls = rec.mountPoints ?? parseMounts(rec.hostConfig);
  const mounted: string[] = [];
  core.volumeMounts.set(rec.id, mounted);
  const out: UserMount[] = [];
  for (const m of decls) {
    if (m.type === 'bind') {
      const source = await bindSource(m);
      // A file has no submounts: a plain bind (the runtime's recursive read-only applies to directories only).
      const file = m.readOnly && !(await stat(source)).isDirectory();
      out.push({ ...toUserMount(m), source, ...(file ? { nonRecursive: true } : {}) } as UserMount);
    }
    else if (m.type === 'tmpfs') out.push(toUserMount(m));
    else out.push(await mountVolume(core, rec, m, { rootfs, mounted }));
  }
  return out;
}

async function bindSource(m: Extract<MountDeclaration, { type: 'bind' }>): Promise<string> {
  try {
    return await realpath(m.source);
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e;
    if (!m.createSource) throw new InvalidArgumentError(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
    await mkdir(m.source, { recursive: true, mode: 0o755 }).catch((err: unknown) => {
      throw new InvalidArgumentError(`error while creating mount source path '${m.source}': ${err instanceof Error ? err.message : String(err)}`);
    });
    return realpath(m.source);
  }
}

async function mountVolume(core: ContainerCore, rec: ContainerRecord, m: VolumeDeclaration, at: { rootfs: string; mounted: string[] }): Promise<UserMount> {
  const volumes = core.d.volumes;
  if (!volumes) throw new InvalidArgumentError(`Cannot mount volume "${m.name}" at ${m.destination}: this daemon has no volume service`);
  const path = await volumes.mount(m.name, { containerId: rec.id, destination: m.destination, readOnly: m.readOnly });
  at.mounted.push(m.name);
  if (!m.noCopy && !m.subpath) await volumes.copyUp(m.name, { rootfs: at.rootfs, path: m.destination });
  let source = path;
  if (m.subpath) {
    source = await realpath(join(path, m.subpath)).catch(() => {
      throw new InvalidArgumentError(`cannot access path ${join(path, m.subpath!)}: no such file or directory`);
    });
    if (source !== path && !source.startsWith(`${path}/`)) throw new InvalidArgumentError(`volume subpath "${m.subpath}" leads outside the volume`);
  }
  return { type: 'bind', source, destination: m.destination, readOnly: m.readOnly };
}

/** After a daemon restart: the volumes a running container mounted are its again (released at its exit). */
export function adoptMounts(core: ContainerCore, rec: ContainerRecord): void {
  const names = (rec.mountPoints ?? []).flatMap((m) => (m.type === 'volume' ? [m.name] : []));
  if (!names.length || !core.d.volumes) return;
  for (const name of names) core.d.volumes.adopt(name);
  core.volumeMounts.set(rec.id, names);
}

/** The names of the container's anonymous volumes (what `rm -v` and `run --rm` remove). */
export function anonymousVolumes(rec: ContainerRecord): string[] {
  return (rec.mountPoints ?? []).flatMap((m) => (m.type === 'volume' && m.anonymous && m.name ? [m.name] : []));
}

/** Remove volumes, skipping those another container still uses or that are already gone (as dockerd). */
export async function removeVolumes(core: ContainerCore, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await core.d.volumes?.remove(name).catch((e: unknown) => {
      if (e instanceof ConflictError || e instanceof NotFoundError) return;
      core.d.log.warn('could not remove a container\'s volume', { name, error: String(e) });
    });
  }
}

/** Whether the record declares the named volume (the volume service's "in use"). */
export function usesVolume(rec: ContainerRecord, name: string): boolean {
  return (rec.mountPoints ?? []).some((m) => m.type === 'volume' && m.name === name);
}

/** `ps --filter volume=X`: a volume's name, a mount's destination or a bind's source, as dockerd matches. */
export function mountsVolume(rec: ContainerRecord, value: string): boolean {
  return (rec.mountPoints ?? parseMounts(rec.hostConfig)).some((m) => (m.type === 'volume' && m.name === value)
    || m.destination === value || cleanPath(m.destination) === value || (m.type === 'bind' && m.source === value)
    || (m.type === 'volume' && m.source === value));
}
