import { createHash } from 'node:crypto';
import { mkdir, readlink, symlink, unlink, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { errnoCode, InvalidArgumentError } from '../base/index.js';
import { isMountPoint, mountOverlay, mountPointsUnder, ScopedDir, unmount } from '../host/index.js';
import { diffUpper } from '../image/archive/index.js';
import { containerPaths, type ContainerPaths } from './container-paths.js';
import { isRuntimeMountPoint, layerChanges, layerUsage, type LayerChange, type LayerUsage } from './layer-changes.js';
import type { ContainerLayer, LayerSource, MountRequest, Snapshotter } from './snapshotter.js';

/** mount(2) copies at most one page of option data; keep clear of it. */
const MAX_MOUNT_DATA = 4000;
const MOUNT_OPTIONS = ['index=off', 'redirect_dir=off'];

/**
 * overlayfs snapshotter: `<root>/containers/<id>/{upper,work}` (containerPaths), mounted at
 * `merged/`, over the image's layer
 * directories, which stay held for the container until removeContainer (so a forced rmi
 * of a stopped container's image keeps its rootfs, as in Docker). When absolute lower paths would overflow mount's one-page option limit
 * (many layers, long data roots), it mounts from `<root>/overlay/l/`, where each layer
 * has a 16-character symlink, with relative lowerdir= paths (as Docker's overlay2 does
 * with its l/ directory); the kernel resolves them against mount(8)'s cwd.
 */
export class OverlaySnapshotter implements Snapshotter {
  /** The layers of the containers prepared since start-up (retaining them again is a store write). */
  private readonly prepared = new Map<string, ContainerLayer>();

  constructor(private readonly opts: { root: string; layers: LayerSource }) {}

  private get containersRoot(): string {
    return join(this.opts.root, 'containers');
  }

  private paths(id: string): ContainerPaths {
    return containerPaths(this.containersRoot, id);
  }

  private get linkDir(): string {
    return join(this.opts.root, 'overlay', 'l');
  }

  private get emptyDir(): string {
    return join(this.opts.root, 'overlay', 'empty');
  }

  async prepareContainer(opts: { id: string; imageId: string }): Promise<ContainerLayer> {
    const { upper, work } = this.paths(opts.id);
    const { lowerDirs } = await this.opts.layers.retainRootfs(`container:${opts.id}`, opts.imageId);
    await mkdir(upper, { recursive: true, mode: 0o755 });
    await mkdir(work, { recursive: true, mode: 0o700 });
    const layer = { upper, work, lowerDirs };
    this.prepared.set(opts.id, layer);
    return layer;
  }

  private async layerOf(opts: { id: string; imageId: string }): Promise<ContainerLayer> {
    return this.prepared.get(opts.id) ?? this.prepareContainer(opts);
  }

  async mountContainer(opts: { id: string; imageId: string }): Promise<string> {
    const { merged } = this.paths(opts.id);
    if (await isMountPoint(merged)) return merged;
    await this.mountRootfs({ ...(await this.layerOf(opts)), target: merged });
    return merged;
  }

  // unmount() is a no-op where nothing is mounted: no need to read the mount table first
  async unmountContainer(id: string, opts: { lazy?: boolean } = {}): Promise<void> {
    await unmount(this.paths(id).merged, opts);
  }

  async usage(id: string, opts: { signal?: AbortSignal } = {}): Promise<LayerUsage> {
    try {
      return await layerUsage({ upper: this.paths(id).upper, signal: opts.signal });
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return { size: 0, inodes: 0 };
      throw e;
    }
  }

  async changes(opts: { id: string; imageId: string; signal?: AbortSignal }): Promise<LayerChange[]> {
    const { upper, lowerDirs } = await this.layerOf(opts);
    return layerChanges({ upper, lowerDirs, signal: opts.signal });
  }

  diff(id: string, opts: { signal?: AbortSignal } = {}): Readable {
    return diffUpper({ upper: this.paths(id).upper, exclude: isRuntimeMountPoint, signal: opts.signal });
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
    await unmount(this.paths(id).merged, { lazy: true });
    // fd-relative, never through a symlink: a process that outlived its container's lazy
    // unmount can still swap a directory of upper/ for a link to the host while it goes
    let dir: ScopedDir | undefined;
    try {
      dir = ScopedDir.open(this.paths(id).dir);
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
    this.prepared.delete(id);
  }

  // Only paths under berth's own containers directory are looked at.
  async reclaimMounts(opts: { keep: ReadonlySet<string>; onUnmount?: (path: string) => void }): Promise<void> {
    const root = this.containersRoot;
    for (const point of await mountPointsUnder(root)) {
      const id = point.slice(root.length + 1).split('/')[0]!;
      if (opts.keep.has(id)) continue;
      opts.onUnmount?.(point);
      await unmount(point, { lazy: true });
    }
  }
}
