import type { Readable } from 'node:stream';
import { InternalError } from '../base/index.js';
import { archiveContainerPath, bindMountSources, extractToContainer, statContainerPath, type ExtractOptions, type MountSources } from './archive.js';
import { commitContainer, type CommitRequest, type ImageCommitter } from './commit.js';
import type { ContainerCore } from './core.js';
import type { PathStat } from './path-stat.js';
import type { RootfsChange } from './ports.js';

/**
 * What is done to a container's files: cp (archive stat, get, put), diff and commit. A facade
 * over archive.ts and commit.ts sharing the container service's core.
 */
export class ContainerFiles {
  private readonly mounts: MountSources;

  constructor(private readonly core: ContainerCore, private readonly opts: { images?: ImageCommitter; mounts?: MountSources }) {
    this.mounts = opts.mounts ?? bindMountSources;
  }

  /** `docker diff`: the rw layer's changes over the image. */
  async changes(ref: string, signal?: AbortSignal): Promise<RootfsChange[]> {
    const rec = this.core.d.store.get(ref);
    return this.core.d.rootfs.changes({ id: rec.id, imageId: rec.imageId, ...(signal ? { signal } : {}) });
  }

  statPath(ref: string, path: string): Promise<PathStat> {
    return statContainerPath(this.core, ref, path, this.mounts);
  }

  archivePath(ref: string, path: string): Promise<{ stat: PathStat; tar: Readable }> {
    return archiveContainerPath(this.core, ref, path, this.mounts);
  }

  extract(ref: string, path: string, body: Readable, opts: ExtractOptions): Promise<void> {
    return extractToContainer(this.core, ref, path, body, { ...opts, mounts: this.mounts });
  }

  commit(req: CommitRequest): Promise<string> {
    if (!this.opts.images) throw new InternalError('Cannot commit: the container service was built without an image service');
    return commitContainer(this.core, this.opts.images, req);
  }
}
