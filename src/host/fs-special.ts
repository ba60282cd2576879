import { readFile, writeFile } from 'node:fs/promises';
import { errnoCode } from '../base/index.js';
import { exec, HostCommandError } from './exec.js';
import { hostAddon, MNT_DETACH, MS_BIND, MS_RDONLY, MS_REMOUNT } from './native.js';

/*
 * Filesystem operations Node has no API for (device nodes, extended attributes,
 * mounts, syncfs), done with Debian's tools. Work is batched so that a layer with
 * thousands of whiteouts or xattrs costs one process, not thousands.
 */

export interface SpecialNode {
  /** Path relative to the batch's cwd. */
  path: string;
  type: 'char' | 'block' | 'fifo';
  major?: number;
  minor?: number;
  /** Permission bits (and setuid/setgid/sticky), applied exactly. */
  mode: number;
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Create device nodes and fifos (mknod) below `cwd`, one shell for the whole batch. */
export async function makeNodes(cwd: string, nodes: readonly SpecialNode[]): Promise<void> {
  if (nodes.length === 0) return;
  const lines = nodes.map((n) => {
    const mode = (n.mode & 0o7777).toString(8).padStart(4, '0');
    const kind = n.type === 'char' ? `c ${n.major ?? 0} ${n.minor ?? 0}` : n.type === 'block' ? `b ${n.major ?? 0} ${n.minor ?? 0}` : 'p';
    return `mknod -m ${mode} -- ${shQuote(n.path)} ${kind}`;
  });
  await exec('/bin/sh', ['-e', '-s'], { cwd, stdin: lines.join('\n') + '\n', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
}

export interface XattrEntry {
  /** Path relative to the batch's cwd ('' or '.' is cwd itself). */
  path: string;
  name: string;
  value: Uint8Array;
}

// getfattr/setfattr's path quoting: backslash and non-printable ASCII as \ooo.
function quotePath(p: string): string {
  return p.replace(/[\\\x00-\x20\x7f]/g, (c) => (c === ' ' ? ' ' : `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`));
}

function unquotePath(p: string): string {
  if (!p.includes('\\')) return p;
  const bytes: number[] = [];
  const raw = Buffer.from(p, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x5c && i + 3 < raw.length + 0 && /^[0-7]{3}$/.test(raw.subarray(i + 1, i + 4).toString('latin1'))) {
      bytes.push(parseInt(raw.subarray(i + 1, i + 4).toString('latin1'), 8));
      i += 3;
    } else bytes.push(raw[i]!);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Set extended attributes (any namespace, symlinks not followed) with one setfattr run. */
export async function setXattrs(cwd: string, entries: readonly XattrEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const parts: string[] = [];
  for (const e of entries) {
    const p = e.path === '' ? '.' : e.path;
    parts.push(`# file: ${quotePath(p)}\n${e.name}=0x${Buffer.from(e.value).toString('hex')}\n\n`);
  }
  await exec('setfattr', ['-h', '--restore=-'], { cwd, stdin: parts.join('') });
}

/**
 * Read every extended attribute under `root` (symlinks not followed) with one getfattr
 * run. Keys are paths relative to root ('' for root itself); files without xattrs are absent.
 */
export async function readXattrsTree(root: string): Promise<Map<string, Map<string, Buffer>>> {
  const r = await exec('getfattr', ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '.'], { cwd: root, allowFailure: true });
  const out = new Map<string, Map<string, Buffer>>();
  let current: Map<string, Buffer> | undefined;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('# file: ')) {
      let p = unquotePath(line.slice(8));
      if (p === '.') p = '';
      else if (p.startsWith('./')) p = p.slice(2);
      current = new Map();
      out.set(p, current);
    } else if (line && current) {
      const eq = line.indexOf('=');
      const name = eq < 0 ? line : line.slice(0, eq);
      const v = eq < 0 ? '' : line.slice(eq + 1);
      current.set(name, v.startsWith('0x') ? Buffer.from(v.slice(2), 'hex') : Buffer.from(v.replace(/^"|"$/g, ''), 'utf8'));
    }
  }
  return out;
}

export interface OverlayMount {
  /** Lower directories, top-most first; relative paths are resolved against `cwd`. */
  lowerDirs: readonly string[];
  upperDir?: string;
  workDir?: string;
  target: string;
  /** Directory mount(8) runs in, so that short relative lower paths fit the option size limit. */
  cwd?: string;
  options?: readonly string[];
}

export async function mountOverlay(m: OverlayMount): Promise<void> {
  const opts = [`lowerdir=${m.lowerDirs.join(':')}`];
  if (m.upperDir) opts.push(`upperdir=${m.upperDir}`, `workdir=${m.workDir}`);
  opts.push(...(m.options ?? []));
  // Relative lower dirs resolve against the mounting process's cwd: only mount(8) can have its own.
  if (hostAddon && !m.cwd) return hostAddon.mount('overlay', m.target, 'overlay', 0, opts.join(','));
  await exec('mount', ['-t', 'overlay', 'overlay', '-o', opts.join(','), m.target], { cwd: m.cwd });
}

/**
 * Unmount `target`; `lazy` detaches it even when busy (umount -l). False when nothing was
 * mounted there or the path does not exist.
 */
export async function unmount(target: string, opts: { lazy?: boolean } = {}): Promise<boolean> {
  try {
    if (hostAddon) await hostAddon.umount(target, opts.lazy ? MNT_DETACH : 0);
    else await exec('umount', opts.lazy ? ['-l', target] : [target]);
    return true;
  } catch (e) {
    if (errnoCode(e) === 'EINVAL' || errnoCode(e) === 'ENOENT') return false;
    if (e instanceof HostCommandError && /not mounted|no mount point specified|No such file or directory/.test(e.result.stderr)) return false;
    throw e;
  }
}

/**
 * Bind `source` (a file) read-only at `target`, replacing an older bind there. Only through the
 * addon: without it, false and nothing mounted.
 */
export async function bindFileReadOnly(source: string, target: string): Promise<boolean> {
  if (!hostAddon) return false;
  await unmount(target, { lazy: true });
  await writeFile(target, '', { flag: 'a' });
  await hostAddon.mount(source, target, null, MS_BIND, null);
  try {
    await hostAddon.mount(null, target, null, MS_REMOUNT | MS_BIND | MS_RDONLY, null);
  } catch (e) {
    await unmount(target, { lazy: true }); // never leave a writable bind behind
    throw e;
  }
  return true;
}

/**
 * True when something is mounted at `path` (as /proc/self/mounts lists it, with its octal
 * escapes for blanks and backslashes): a file read, where `mountpoint -q` is a process per call.
 */
export async function isMountPoint(path: string): Promise<boolean> {
  const escaped = path.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  return mounts.split('\n').some((line) => line.split(' ')[1] === escaped);
}

/** Flush the filesystem holding `path` to disk (syncfs), cheaper than fsync per file. */
export async function syncFilesystem(path: string): Promise<void> {
  await exec('sync', ['-f', path]);
}
