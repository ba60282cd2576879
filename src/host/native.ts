import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** System calls from berth's addon (native/berth-host.c, copy-tree.c); blocking ones run on libuv's thread pool. */
export interface HostAddon {
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): Promise<void>;
  umount(target: string, flags: number): Promise<void>;
  /** posix_spawn; fd kinds: 0 /dev/null, 1 a pipe the child reads, 2 a pipe the child writes. */
  spawn(file: string, argv: string[], envp: string[], cwd: string | null, fds: number[], setsid: boolean): { pid: number; fds: number[] };
  /** Start a health probe in a container's namespaces and cgroups (native/probe.c); absent in an older build. */
  probeSpawn?(pid: number, cgroupProcs: string[], user: number[], caps: number[], noNewPrivileges: boolean, seccomp: Buffer | null,
    apparmor: string | null, rlimits: number[], cwd: string, argv: string[], envp: string[]): Promise<{ pid: number; fd: number }>;
  /** Reap a spawned child: [exit code, signal number], one of them null. */
  wait(pid: number): Promise<[number | null, number | null]>;
  // fd-relative calls beneath a root directory, synchronous; see ScopedDir in beneath.ts
  openRoot(path: string, cache: boolean): number;
  close(fd: number): void;
  lstat(root: number, rel: string): number[] | null;
  readlink(root: number, rel: string): string;
  readdir(root: number, rel: string): string[];
  openRead(root: number, rel: string): number;
  create(root: number, rel: string): number;
  mkdir(root: number, rel: string, mode: number, uid: number, gid: number): boolean;
  mknod(root: number, rel: string, kind: 'c' | 'b' | 'p', mode: number, major: number, minor: number, uid: number, gid: number, mtime: number): boolean;
  symlink(root: number, rel: string, target: string, uid: number, gid: number, mtime: number): boolean;
  link(root: number, existing: string, rel: string): boolean;
  utimes(root: number, rel: string, sec: number, nsec: number, onlyDir: boolean): boolean;
  setxattr(root: number, rel: string, name: string, value: Buffer): void;
  fsetxattr(fd: number, name: string, value: Buffer): void;
  xattrs(root: number, rel: string): Array<string | Buffer>;
  remove(root: number, rel: string): boolean;
  // resolution inside a root with symlinks followed in scope (a container's rootfs); see in-root.ts
  openInRoot(root: number, path: string): number;
  mkdirInRoot(root: number, path: string, mode: number, uid: number, gid: number): void;
  /** A tree copied beneath one root into another, on the thread pool (copy-tree.c); see ScopedDir.copyTo. */
  copyTree(srcRoot: number, srcRel: string, dstRoot: number): Promise<void>;
  /**
   * sendfile(2) of inFd's bytes [offset, offset+length) to the socket outFd (pread and send
   * through a buffer with `copy`), on the thread pool (send-file.c); resolves with the bytes sent,
   * fewer when the socket stalled or cancel[0] was set. inFd must stay open until it settles.
   * Absent in an older build. See send-file.ts.
   */
  sendFile?(outFd: number, inFd: number, offset: number, length: number, cancel: Int32Array, copy: boolean): Promise<number>;
}

export const MNT_DETACH = 2;
export const MS_RDONLY = 1;
export const MS_REMOUNT = 32;
export const MS_BIND = 4096;

/**
 * The addon, or undefined when it was not built (no compiler or Node headers at install time):
 * callers then run the equivalent Debian tool, a few milliseconds slower per call.
 */
export const hostAddon: HostAddon | undefined = loadAddon<HostAddon>('berth-host.node');

/**
 * One of berth's addons by file name, or undefined when it was not built.
 * dist/native/ sits one level above the bundle and two above tsc's per-module output.
 */
export function loadAddon<T>(file: string): T | undefined {
  const require = createRequire(import.meta.url);
  for (const rel of [`../native/${file}`, `../../native/${file}`]) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return require(path) as T;
  }
  return undefined;
}
