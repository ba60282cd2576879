import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { errnoCode, ForbiddenError, InvalidArgumentError, NotFoundError } from '../base/index.js';
import { fileType, resolveInScope, S_IFDIR, S_IFLNK, ScopedDir, type ScopedStat } from '../host/index.js';
import { extractTar, tarOfPath } from '../image/archive/index.js';
import { locateContainerPath } from './mount-resolution.js';
import type { ContainerRecord } from './config.js';
import type { ContainerCore } from './core.js';
import { parseMounts } from './mounts.js';
import { pathStat, type PathStat } from './path-stat.js';
import { useRootfs } from './rootfs-use.js';

/** A host directory the container sees at `destination` (a bind mount, a volume's data). */
export interface HostPathMount { destination: string; source: string; readOnly: boolean }

/**
 * The seam through which cp reaches a container's mounts: the host directories behind its
 * mount points. Binds are known from the record; the volume service adds volumes' directories.
 */
export type MountSources = (rec: ContainerRecord) => HostPathMount[];

/** The host directories behind a container's binds and volumes (tmpfs lives only in its namespace). */
export function bindMountSources(rec: ContainerRecord): HostPathMount[] {
  const out: HostPathMount[] = [];
  for (const m of rec.mountPoints ?? parseMounts(rec.hostConfig)) {
    if (m.type === 'tmpfs') continue;
    const loc = locateContainerPath(rec, m.destination);
    if (loc.kind !== 'mount' || !loc.hostRoot) continue;
    out.push({ destination: posix.normalize(m.destination).replace(/(.)\/$/, '$1'), source: loc.hostRoot, readOnly: m.readOnly });
  }
  return out;
}

/** Where a container path lives on the host: a directory opened as a scope and the path below it. */
interface Located {
  /** The host directory the scope is (the rootfs or a mount's source). */
  scopeRoot: string;
  dir: ScopedDir;
  /** Below `dir`, no symlink in it (the last component unresolved). */
  rel: string;
  /** The container path as Docker keeps it: absolute, a trailing "/" or "/." preserved. */
  abs: string;
  /** Where `rel` is in the container (for link targets). */
  mountPoint: string;
  mount?: HostPathMount;
  /** The container's mounted rootfs. */
  rootfs: string;
  release(): void;
}

/** Docker's PreserveTrailingDotOrSeparator(Join("/", path), path). */
export function containerAbsPath(path: string): string {
  const clean = posix.normalize(`/${path}`).replace(/(.)\/$/, '$1');
  if (/(^|\/)\.$/.test(path) && !clean.endsWith('/.')) return clean === '/' ? '/.' : `${clean}/.`;
  if (path.endsWith('/') && !clean.endsWith('/')) return `${clean}/`;
  return clean;
}

function assertsDir(abs: string): boolean {
  return abs.endsWith('/') || abs.endsWith('/.');
}

/**
 * Resolve a container path as dockerd's ResolvePath: everything but the last component
 * followed inside the container's root (FollowSymlinkInScope), across into a mount's host
 * directory when the path goes below its mount point.
 */
async function locate(core: ContainerCore, rec: ContainerRecord, path: string, mounts: MountSources): Promise<Located> {
  const abs = containerAbsPath(path);
  const slash = abs.lastIndexOf('/');
  const dirPart = abs.slice(0, slash + 1);
  const base = abs.slice(slash + 1);
  const use = await useRootfs(core, rec);
  let dir: ScopedDir | undefined;
  try {
    dir = ScopedDir.open(use.root);
    const parent = resolveInScope(dir, dirPart, { followLast: true });
    let rel = base === '' || base === '.' ? parent : parent === '' ? base : `${parent}/${base}`;
    const where = `/${rel}`;
    const mount = mounts(rec)
      .filter((m) => where === m.destination || where.startsWith(`${m.destination}/`))
      .sort((a, b) => b.destination.length - a.destination.length)[0];
    if (!mount) return { scopeRoot: use.root, dir, rel, abs, mountPoint: '', rootfs: use.root, release: () => { dir!.close(); use.release(); } };
    dir.close();
    dir = ScopedDir.open(mount.source);
    const below = where.slice(mount.destination.length);
    const i = below.lastIndexOf('/');
    const p = i <= 0 ? '' : resolveInScope(dir, below.slice(0, i), { followLast: true });
    const last = below.slice(i + 1);
    rel = last === '' ? p : p === '' ? last : `${p}/${last}`;
    const opened = dir;
    return { scopeRoot: mount.source, dir, rel, abs, mountPoint: mount.destination, mount, rootfs: use.root, release: () => { opened.close(); use.release(); } };
  } catch (e) {
    dir?.close();
    use.release();
    throw e;
  }
}

function notFound(path: string, ref: string): NotFoundError {
  return new NotFoundError(`Could not find the file ${path} in container ${ref}`);
}

function statAt(loc: Located, path: string, ref: string): ScopedStat {
  let st: ScopedStat | undefined;
  try {
    st = loc.dir.lstat(loc.rel);
  } catch (e) {
    if (errnoCode(e) !== 'ENOTDIR' && errnoCode(e) !== 'ELOOP') throw e;
  }
  if (!st) throw notFound(path, ref);
  if (assertsDir(loc.abs) && fileType(st.mode) !== S_IFDIR) throw new InvalidArgumentError(`lstat ${loc.abs}: not a directory`);
  return st;
}

function describe(loc: Located, st: ScopedStat): PathStat {
  const name = loc.abs === '/' ? '/' : posix.basename(loc.abs.endsWith('/') ? loc.abs.slice(0, -1) : loc.abs);
  let linkTarget = '';
  if (fileType(st.mode) === S_IFLNK) {
    const resolved = resolveInScope(loc.dir, loc.rel, { followLast: true });
    linkTarget = posix.join('/', loc.mountPoint, resolved);
  }
  return pathStat(loc.abs.endsWith('/.') ? '.' : name, st, linkTarget);
}

/** HEAD /containers/{id}/archive: what is at `path`. */
export async function statContainerPath(core: ContainerCore, ref: string, path: string, mounts: MountSources): Promise<PathStat> {
  const rec = core.d.store.get(ref);
  const loc = await locate(core, rec, path, mounts);
  try {
    return describe(loc, statAt(loc, path, ref));
  } finally {
    loc.release();
  }
}

/**
 * GET /containers/{id}/archive: a tar of what is at `path`, named by the path's last
 * component as Docker's TarResourceRebase names it ("." for a path ending in "/.": the
 * directory's entries at the top).
 */
export async function archiveContainerPath(core: ContainerCore, ref: string, path: string, mounts: MountSources): Promise<{ stat: PathStat; tar: Readable }> {
  const rec = core.d.store.get(ref);
  const loc = await locate(core, rec, path, mounts);
  let stat: PathStat;
  try {
    stat = describe(loc, statAt(loc, path, ref));
  } catch (e) {
    loc.release();
    throw e;
  }
  const tar = tarOfPath({ root: loc.scopeRoot, under: loc.rel, name: stat.name === '/' ? '.' : stat.name });
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    loc.release();
  };
  tar.once('close', finish);
  tar.once('error', finish);
  core.event(rec, 'archive-path');
  return { stat, tar };
}

export interface ExtractOptions {
  noOverwriteDirNonDir: boolean;
  copyUIDGID: boolean;
  signal?: AbortSignal;
}

/**
 * PUT /containers/{id}/archive: unpack a tar into the directory at `path`. Nothing is
 * written outside the container's root (or the mount's directory) whatever the archive
 * holds or the container has planted: see extractTar.
 */
export async function extractToContainer(core: ContainerCore, ref: string, path: string, body: Readable, opts: ExtractOptions & { mounts: MountSources }): Promise<void> {
  const rec = core.d.store.get(ref);
  const loc = await locate(core, rec, path, opts.mounts);
  try {
    const st = statAt(loc, path, ref);
    if (fileType(st.mode) !== S_IFDIR) throw new InvalidArgumentError('extraction point is not a directory');
    if (loc.mount?.readOnly) throw new ForbiddenError('mounted volume is marked read-only');
    if (!loc.mount && rec.hostConfig.ReadonlyRootfs) throw new ForbiddenError('container rootfs is marked read-only');
    let owner: { uid: number; gid: number } | undefined;
    if (opts.copyUIDGID && rec.config.User) {
      const u = await core.d.spec.resolveUser(loc.rootfs, rec.config.User);
      owner = { uid: u.uid, gid: u.gid };
    }
    await extractTar(body, {
      dir: loc.dir, base: loc.rel, noOverwriteDirNonDir: opts.noOverwriteDirNonDir, ...(owner ? { owner } : {}), ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } finally {
    loc.release();
  }
  core.event(rec, 'extract-to-dir');
}
