import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec, isMountPoint, unmount } from '../../host/index.js';
import { tarTree } from '../archive/index.js';
import type { ImageService } from '../images/index.js';
import type { ImageRecord } from '../images/types.js';

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Directories whose contents belong to the running system, not the image. */
const EMPTY_IN_IMAGE = ['dev/', 'proc/', 'sys/', 'run/', 'tmp/', 'var/cache/apt/archives/', 'var/lib/apt/lists/'];

export interface DebianImageOptions {
  suite?: string;
  mirror?: string;
  tag?: string;
  /** Scratch space for the debootstrap tree (default: the OS temp dir). */
  workDir?: string;
  signal?: AbortSignal;
}

/** `debootstrap --variant=minbase` into a temp dir, archived and committed as one layer (CMD ["bash"]). */
export async function buildDebianImage(images: ImageService, opts: DebianImageOptions = {}): Promise<ImageRecord> {
  const suite = opts.suite ?? 'bookworm';
  const mirror = opts.mirror ?? 'http://deb.debian.org/debian';
  const dir = await mkdtemp(join(opts.workDir ?? tmpdir(), 'berth-debootstrap-'));
  const rootfs = join(dir, 'rootfs');
  try {
    await exec('debootstrap', ['--variant=minbase', suite, rootfs, mirror], { signal: opts.signal });
    const keepDirs = new Set(EMPTY_IN_IMAGE.map((d) => d.slice(0, -1)));
    const exclude = (rel: string): boolean => !keepDirs.has(rel) && EMPTY_IN_IMAGE.some((d) => rel.startsWith(d));
    return await images.commit({
      diff: tarTree({ root: rootfs, exclude, signal: opts.signal }),
      config: { Env: [PATH_ENV], Cmd: ['bash'] },
      createdBy: `debootstrap --variant=minbase ${suite} ${mirror}`,
      repoTag: opts.tag,
      signal: opts.signal,
    });
  } finally {
    // debootstrap mounts proc and sys inside the tree and may leave them on failure
    let stillMounted = false;
    for (const m of ['dev/pts', 'proc', 'sys']) {
      const p = join(rootfs, m);
      if (await isMountPoint(p)) {
        await unmount(p, { lazy: true }).catch(() => {});
        if (await isMountPoint(p)) stillMounted = true;
      }
    }
    // never recurse into a host filesystem still mounted inside the tree
    if (!stillMounted) await rm(dir, { recursive: true, force: true });
  }
}
