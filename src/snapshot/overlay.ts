import { createHash } from 'node:crypto';
import { mkdir, readlink, symlink, unlink, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, InvalidArgumentError } from '../base/index.js';
import { mountOverlay, ScopedDir, unmount } from '../host/index.js';
import type { ContainerLayer, LayerSource, MountRequest, Snapshotter } from './snapshotter.js';

/** mount(2) copies at most one page of option data; keep clear of it. */
const MAX_MOUNT_DATA = 4000;
const MOUNT_OPTIONS = ['index=off', 'redirect_dir=off'];
const ID_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/**
 * overlayfs snapshotter: `<root>/containers/<id>/{upper,work}` over the image's layer
 * directories, which stay held for the container until removeContainer (so a forced rmi
 * of a stopped container's image keeps its rootfs, as in Docker). When absolute lower paths would overflow mount's one-page option limit
 * (many layers, long data roots), it mounts from `<root>/overlay/l/`, where each layer
 * has a 16-character symlink, with relative lowerdir= paths (as Docker's overlay2 does
 * with its l/ directory); the kernel resolves them against mount(8)'s cwd.
 */
export class OverlaySnapshotter implements Snapshotter {
  constructor(private readonly opts: { root: string; layers: LayerSource }) {}

  private containerDir(id: string): string {
    if (!ID_RE.test(id)) throw new InvalidArgumentError(`Cannot use container id "${id}": expected letters, digits, '_', '.', '-'`);
    return join(this.opts.root, 'containers', id);
  }

  private get linkDir(): string {
    return join(this.opts.root, 'overlay', 'l');
  }

  private get emptyDir(): string {
    return join(this.opts.root, 'overlay', 'empty');
  }

  async prepareContainer(opts: { id: string; imageId: string }): Promise<ContainerLayer> {
    const dir = this.containerDir(opts.id);
    const { lowerDirs } = await this.opts.layers.retainRootfs(`container:${opts.id}`, opts.imageId);
    const upper = join(dir, 'upper');
    const work = join(dir, 'work');
    await mkdir(upper, { recursive: true, mode: 0o755 });
    await mkdir(work, { recursive: true, mode: 0o700 });
    return { upper, work, lowerDirs };
  }

  async mountRootfs(req: MountRequest): Promise<void> {
    await mkdir(req.target, { recursive: true });
    let lowers = [...req.lowerDirs];
    if (lowers.length === 0) {
      // an image without layers: overlay still needs one lower dir
      await mkdir(this.emptyDir, { recursive: true, mode: 0o755 });
      lowers = [this.emptyDir];
    }
    const data = (l: string[]): number => `lowerdir=${l.join(':')},upperdir=${req.upper},workdir=${req.work},${MOUNT_OPTIONS.join(',')}`.length;
    if (data(lowers) <= MAX_MOUNT_DATA) {
      await mountOverlay({ lowerDirs: lowers, upperDir: req.upper, workDir: req.work, target: req.target, options: MOUNT_OPTIONS });
      return;
    }
    const short = await Promise.all(lowers.map((l) => this.shortLink(l)));
    if (data(short) > MAX_MOUNT_DATA) throw new InvalidArgumentError(`Cannot mount ${lowers.length} layers: too many for one overlay mount`);
    await mountOverlay({ lowerDirs: short, upperDir: req.upper, workDir: req.work, target: req.target, cwd: this.linkDir, options: MOUNT_OPTIONS });
  }

  /** A stable short name for a lower dir: a symlink in overlay/l/ named by its path's hash. */
  private async shortLink(lower: string): Promise<string> {
    const name = createHash('sha256').update(lower).digest('hex').slice(0, 16);
    const link = join(this.linkDir, name);
    try {
      if ((await readlink(link)) === lower) return name;
      await unlink(link);
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw e;
    }
    await mkdir(this.linkDir, { recursive: true });
    const tmp = `${link}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await symlink(lower, tmp);
    await rename(tmp, link);
    return name;
  }

  async unmount(target: string, opts: { lazy?: boolean } = {}): Promise<void> {
    await unmount(target, opts);
  }

  async removeContainer(id: string): Promise<void> {
    // fd-relative, never through a symlink: a process that outlived its container's lazy
    // unmount can still swap a directory of upper/ for a link to the host while it goes
    let dir: ScopedDir | undefined;
    try {
      dir = ScopedDir.open(this.containerDir(id));
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw e;
    }
    try {
      dir?.remove('upper');
      dir?.remove('work');
    } finally {
      dir?.close();
    }
    await this.opts.layers.releaseRootfs(`container:${id}`);
  }
}
