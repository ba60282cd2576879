import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LinuxDevice } from '../oci/index.js';
import { errnoCode } from '../base/index.js';

// Directories under /dev whose nodes belong to the host's own mounts, as containerd skips them.
const SKIP_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);
const S_IFMT = 0o170000n;
const S_IFCHR = 0o020000n;
const S_IFBLK = 0o060000n;

/** Every character and block device under /dev, for privileged containers (console excluded: runc makes it). */
export async function listHostDevices(root = '/dev'): Promise<LinuxDevice[]> {
  const out: LinuxDevice[] = [];
  const walk = async (dir: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'EACCES') return;
      throw e;
    }
    for (const name of names.sort()) {
      const path = join(dir, name);
      const st = await lstat(path, { bigint: true }).catch(() => undefined);
      if (!st) continue;
      if (st.isDirectory()) {
        if (!SKIP_DIRS.has(name)) await walk(path);
        continue;
      }
      if (path === join(root, 'console')) continue;
      const fmt = st.mode & S_IFMT;
      if (fmt !== S_IFCHR && fmt !== S_IFBLK) continue;
      out.push({
        path, type: fmt === S_IFCHR ? 'c' : 'b', ...splitDev(st.rdev),
        fileMode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid),
      });
    }
  };
  await walk(root);
  return out;
}

/** glibc's major()/minor() of a dev_t. */
function splitDev(dev: bigint): { major: number; minor: number } {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}
