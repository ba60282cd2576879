import { fileType, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFSOCK, type ScopedStat } from '../host/index.js';

/** What `docker cp` learns of a container path (X-Docker-Container-Path-Stat, Docker's ContainerPathStat). */
export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode bits: permissions plus type and special bits. */
  mode: number;
  /** RFC 3339 with nanoseconds, as Go's time.Time marshals. */
  mtime: string;
  /** For a symlink, where it leads inside the container (absolute); '' otherwise. */
  linkTarget: string;
}

// Go's os.FileMode bits (io/fs): the type bits sit at the top of 32 bits
const MODE_DIR = 2 ** 31;
const MODE_SYMLINK = 2 ** 27;
const MODE_DEVICE = 2 ** 26;
const MODE_NAMED_PIPE = 2 ** 25;
const MODE_SOCKET = 2 ** 24;
const MODE_SETUID = 2 ** 23;
const MODE_SETGID = 2 ** 22;
const MODE_CHAR_DEVICE = 2 ** 21;
const MODE_STICKY = 2 ** 20;

/** A Linux st_mode as Go's os.FileMode. */
export function goFileMode(mode: number): number {
  let m = mode & 0o777;
  switch (fileType(mode)) {
    case S_IFDIR: m += MODE_DIR; break;
    case S_IFLNK: m += MODE_SYMLINK; break;
    case S_IFBLK: m += MODE_DEVICE; break;
    case S_IFCHR: m += MODE_DEVICE + MODE_CHAR_DEVICE; break;
    case S_IFIFO: m += MODE_NAMED_PIPE; break;
    case S_IFSOCK: m += MODE_SOCKET; break;
  }
  if (mode & 0o4000) m += MODE_SETUID;
  if (mode & 0o2000) m += MODE_SETGID;
  if (mode & 0o1000) m += MODE_STICKY;
  return m;
}

export function isGoDir(mode: number): boolean {
  return mode >= MODE_DIR;
}

/** Go's RFC3339Nano in UTC: fractional seconds without trailing zeros. */
export function goTime(sec: number, nsec: number): string {
  const base = new Date(sec * 1000).toISOString().slice(0, 19);
  const frac = nsec > 0 ? `.${String(nsec).padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${base}${frac}Z`;
}

export function pathStat(name: string, st: ScopedStat, linkTarget: string): PathStat {
  return { name, size: st.size, mode: goFileMode(st.mode), mtime: goTime(st.mtimeSec, st.mtimeNsec), linkTarget };
}
