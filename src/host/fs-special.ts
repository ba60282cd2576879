import { writeFile } from 'node:fs/promises';
import { errnoCode } from '../base/index.js';
import { exec, HostCommandError } from './exec.js';
import { hostAddon, MNT_DETACH, MS_BIND, MS_RDONLY, MS_REMOUNT } from './native.js';

/*
 * Filesystem operations Node has no API for (mounts, syncfs): through the addon, or with
 * Debian's tools when it is absent. Device nodes and extended attributes are made only
 * beneath a root, fd-relative, by ScopedDir (beneath.ts).
 */

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

/** Flush the filesystem holding `path` to disk (syncfs), cheaper than fsync per file. */
export async function syncFilesystem(path: string): Promise<void> {
  await exec('sync', ['-f', path]);
}
