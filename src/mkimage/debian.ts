import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { exec, isMountPoint, unmount } from '../host/index.js';
import { tarTree } from '../image/archive/index.js';
import { dockerArchive } from './archive.js';

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

/** `debootstrap --variant=minbase` into a temp dir, as a one-layer docker-archive (CMD ["bash"]). */
export async function debianArchive(opts: DebianImageOptions = {}): Promise<{ stream: Readable; done: () => Promise<void> }> {
  const suite = opts.suite ?? 'bookworm';
  const mirror = opts.mirror ?? (await aptMirror()) ?? 'http://deb.debian.org/debian';
  const dir = await mkdtemp(join(opts.workDir ?? tmpdir(), 'berth-debootstrap-'));
  const rootfs = join(dir, 'rootfs');
  try {
    await exec('debootstrap', ['--variant=minbase', suite, rootfs, mirror], { signal: opts.signal });
    const keepDirs = new Set(EMPTY_IN_IMAGE.map((d) => d.slice(0, -1)));
    const exclude = (rel: string): boolean => !keepDirs.has(rel) && EMPTY_IN_IMAGE.some((d) => rel.startsWith(d));
    return await dockerArchive({
      layer: tarTree({ root: rootfs, exclude, ...(opts.signal ? { signal: opts.signal } : {}) }),
      config: { Env: [PATH_ENV], Cmd: ['bash'] },
      created: new Date().toISOString(),
      createdBy: `debootstrap --variant=minbase ${suite} ${mirror}`,
      repoTag: opts.tag ?? `debian:${suite}`,
      workDir: dir,
      ...(opts.signal ? { signal: opts.signal } : {}),
    }).then((a) => ({ stream: a.stream, done: async () => { await a.done(); await removeTree(dir, rootfs); } }));
  } catch (e) {
    await removeTree(dir, rootfs);
    throw e;
  }
}

/** The first Debian mirror apt is configured with on this machine. */
async function aptMirror(): Promise<string | undefined> {
  for (const f of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    const text = await readFile(f, 'utf8').catch(() => '');
    const m = /^URIs:\s*(\S+)/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/m.exec(text);
    if (m) return m[1];
  }
  return undefined;
}

async function removeTree(dir: string, rootfs: string): Promise<void> {
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
