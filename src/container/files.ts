import type { Readable } from 'node:stream';
import { InternalError } from '../base/index.js';
import { archiveContainerPath, bindMountSources, extractToContainer, statContainerPath, type ExtractOptions, type MountSources } from './archive.js';
import { createCheckpoint, listCheckpoints, removeCheckpoint, type CheckpointOptions } from './checkpoint.js';
import { commitContainer, type CommitRequest, type ImageCommitter } from './commit.js';
import type { ContainerCore } from './core.js';
import type { PathStat } from './path-stat.js';
import type { RootfsChange } from './ports.js';

/**
 * What is done to a container's files and saved state: cp (archive stat, get, put), diff,
 * commit and checkpoints. A facade over archive.ts, commit.ts and checkpoint.ts sharing the
 * container service's core.
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

  createCheckpoint(ref: string, opts: CheckpointOptions & { name: string; exit: boolean }): Promise<void> {
    return createCheckpoint(this.core, ref, opts);
  }

  listCheckpoints(ref: string, opts: CheckpointOptions): Promise<string[]> {
    return listCheckpoints(this.core, ref, opts);
  }

  removeCheckpoint(ref: string, name: string, opts: CheckpointOptions): Promise<void> {
    return removeCheckpoint(this.core, ref, name, opts);
  }

  commit(req: CommitRequest): Promise<string> {
    if (!this.opts.images) throw new InternalError('Cannot commit: the container service was built without an image service');
    return commitContainer(this.core, this.opts.images, req);
  }
}
