import type { ContainerRecord } from './config.js';
import { cleanPath, parseMounts, type MountDeclaration } from './mounts.js';

/** Where a container path lives on the host: under which host directory, and the rest of the path below it. */
export type HostLocation =
  /** In the container's root filesystem: `rel` below its (mounted) rootfs. */
  | { kind: 'rootfs'; rel: string; readOnly: boolean }
  /** In a bind or volume: `rel` below `hostRoot`, the mount's source on the host. */
  | { kind: 'mount'; hostRoot: string; rel: string; readOnly: boolean; mount: MountDeclaration }
  /** In a tmpfs, which exists only in the container's mount namespace (reach it through /proc/<pid>/root). */
  | { kind: 'tmpfs'; rel: string; readOnly: boolean; mount: MountDeclaration };

/**
 * The seam for `docker cp` and friends: a container path (absolute, lexically cleaned; the
 * caller resolves symlinks beneath the returned root, fd-relative) mapped through the
 * container's mounts, the deepest mount whose destination holds it winning. A bind's source is
 * the one the user named; a volume's, its data directory (a subpath below it).
 */
export function locateContainerPath(rec: Pick<ContainerRecord, 'mountPoints' | 'hostConfig'>, path: string): HostLocation {
  const clean = cleanPath(path);
  const mounts = rec.mountPoints ?? parseMounts(rec.hostConfig);
  let best: MountDeclaration | undefined;
  for (const m of mounts) {
    const dest = cleanPath(m.destination);
    if (clean !== dest && !clean.startsWith(dest === '/' ? '/' : `${dest}/`)) continue;
    if (!best || cleanPath(best.destination).length < dest.length) best = m;
  }
  if (!best) return { kind: 'rootfs', rel: clean.slice(1), readOnly: Boolean(rec.hostConfig.ReadonlyRootfs) };
  const rel = clean.slice(cleanPath(best.destination).length).replace(/^\//, '');
  if (best.type === 'tmpfs') return { kind: 'tmpfs', rel, readOnly: best.readOnly, mount: best };
  const hostRoot = best.type === 'bind' ? best.source : best.subpath ? `${best.source ?? ''}/${best.subpath}` : best.source ?? '';
  return { kind: 'mount', hostRoot, rel, readOnly: best.readOnly, mount: best };
}
