import { createHash, randomUUID } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { errnoCode, NotFoundError } from '../base/index.js';
import { parseNormalizedNamed, type ImageConfig, type Reference } from '../oci/index.js';
import type { TransferEvent } from '../registry/index.js';
import { fileType, mkdirInRoot, mountOverlay, S_IFDIR, ScopedDir, unmount } from '../host/index.js';
import { applyLayer, parsePlatform, platformMismatch, type ImageService } from '../image/index.js';
import { statInScope, type BuildEngine } from '../build/index.js';
import type { ContainerDeclaration, ContainerService } from '../container/index.js';
import { resolveUser } from '../runtime/index.js';
import type { Snapshotter } from '../snapshot/index.js';

/**
 * The builder's engine port over this daemon's services: step containers are ordinary
 * containers, images come from the image service, rootfs views from the snapshotter (as
 * containers of their own, so a crash leaves nothing that recovery does not sweep).
 */
export function buildEngine(d: {
  containers: ContainerService; images: ImageService; snapshotter: Snapshotter;
  /** Where `RUN --mount=type=cache` directories live (`<data-root>/builder/cache-mounts`). */
  cacheMountsRoot: string;
  /** Scratch space of running builds (`<data-root>/builder/tmp`, emptied at start-up). */
  scratchRoot: string;
  /** The registry client's pull: FROM images that are missing (or all, with --pull). */
  pull?: (ref: Reference, opts: { platform?: string; signal?: AbortSignal }) => AsyncIterable<TransferEvent>;
}): BuildEngine {
  const withView = async <T>(imageId: string, fn: (root: string) => Promise<T>): Promise<T> => {
    const view = await engine.mountImage(imageId);
    try {
      return await fn(view.path);
    } finally {
      await view.release();
    }
  };

  const engine: BuildEngine = {
    async image(ref, { pull, platform, signal, progress }) {
      const local = (): { id: string; config: ImageConfig; parent: string } | undefined => {
        try {
          const img = d.images.get(ref);
          return { id: img.id, config: img.config, parent: img.parent };
        } catch (e) {
          if (e instanceof NotFoundError) return undefined;
          throw e;
        }
      };
      const found = local();
      // A local image of another platform than the one asked for is pulled again, or refused as dockerd refuses it.
      const mismatch = found && platform ? platformMismatch(ref, parsePlatform(platform), found.config) : undefined;
      if ((found && !mismatch && pull !== 'always') || pull === 'never' || !d.pull || /^sha256:[0-9a-f]{64}$/.test(ref)) {
        if (mismatch) throw mismatch;
        if (found) return found;
        throw new NotFoundError(`No such image: ${ref}`);
      }
      for await (const ev of d.pull(parseNormalizedNamed(ref), { ...(platform ? { platform } : {}), ...(signal ? { signal } : {}) })) {
        if (ev.current === undefined && !ev.aux) progress?.(`${ev.id ? `${ev.id}: ` : ''}${ev.status}\n`);
      }
      return local() ?? Promise.reject(new NotFoundError(`No such image: ${ref}`));
    },

    async createContainer({ imageId, config, host }) {
      const { id } = await d.containers.create({
        config: { ...config, ExposedPorts: config.ExposedPorts ?? undefined, Image: imageId, AttachStdout: true, AttachStderr: true } as Partial<ContainerDeclaration>,
        hostConfig: {
          ...(host.mounts?.length ? {
            Mounts: host.mounts.map((m) => (m.type === 'bind'
              ? { Type: 'bind' as const, Source: m.source, Target: m.target, ReadOnly: m.readOnly }
              : { Type: 'tmpfs' as const, Target: m.target, ...(m.size ? { TmpfsOptions: { SizeBytes: m.size } } : {}) })),
          } : {}),
          ...(host.networkMode ? { NetworkMode: host.networkMode } : {}),
          ...(host.extraHosts?.length ? { ExtraHosts: host.extraHosts } : {}),
          ...(host.shmSize ? { ShmSize: host.shmSize } : {}),
        },
      });
      return id;
    },

    async runContainer(id, { output, signal }) {
      const attached = d.containers.attach(id, { stdin: false, signal });
      attached.catch(() => {});
      await d.containers.start(id);
      const { streams } = await attached;
      const drained = Promise.all([streams.stdout, streams.stderr].map((s) => new Promise<void>((resolve) => {
        s.on('data', (c: Buffer) => output(c));
        s.once('end', resolve);
        s.once('close', resolve);
        s.once('error', () => resolve());
      })));
      const onAbort = (): void => { void d.containers.kill(id).catch(() => {}); };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const res = await d.containers.wait(id, 'not-running');
        await drained;
        signal?.throwIfAborted();
        return res.StatusCode;
      } finally {
        signal?.removeEventListener('abort', onAbort);
        streams.close();
      }
    },

    async pathKind(imageId, path) {
      if (!imageId) return 'missing';
      return withView(imageId, async (root) => {
        const dir = ScopedDir.open(root);
        try {
          const found = statInScope(dir, path);
          return found === undefined ? 'missing' : found.kind === 'dir' ? 'dir' : 'file';
        } finally {
          dir.close();
        }
      });
    },

    async resolveOwner(imageId, spec) {
      if (!imageId) throw new Error(`unable to find user ${spec}: no passwd file in a scratch image`);
      return withView(imageId, async (root) => {
        const u = await resolveUser(root, spec);
        return { uid: u.uid, gid: spec.includes(':') ? u.gid : u.uid };
      });
    },

    async copyInto(id, { mkdir, tar, signal }) {
      const rec = d.containers.get(id);
      const root = await d.snapshotter.mountContainer({ id, imageId: rec.imageId });
      try {
        mkdirInRoot(root, mkdir, { mode: 0o755, uid: 0, gid: 0 });
        await applyLayer(tar, { target: root, signal });
      } finally {
        await d.snapshotter.unmountContainer(id);
      }
    },

    async commit({ containerId, parent, config, author, createdBy, signal }) {
      const img = await d.images.commit({
        ...(parent ? { parent } : {}),
        ...(containerId ? { diff: d.snapshotter.diff(containerId, { signal }) } : {}),
        config, createdBy, ...(author ? { author } : {}), signal,
      });
      return img.id;
    },

    async imageFromHistory(opts) {
      return (await d.images.commitFromHistory(opts)).id;
    },

    async removeMountStubs(id, targets) {
      const rec = d.containers.get(id);
      // Every target and its parents the image lacked, deepest first.
      const candidates = new Set<string>();
      for (const t of targets) {
        for (let p = posix.normalize(t); p !== '/' && p !== '.'; p = posix.dirname(p)) candidates.add(p);
      }
      const absent = await withView(rec.imageId, async (root) => {
        const dir = ScopedDir.open(root);
        try {
          return [...candidates].filter((p) => !dir.lstat(p.slice(1))).sort((a, b) => b.length - a.length);
        } finally {
          dir.close();
        }
      });
      if (!absent.length) return;
      const root = await d.snapshotter.mountContainer({ id, imageId: rec.imageId });
      const dir = ScopedDir.open(root, { writer: true });
      try {
        for (const p of absent) {
          const st = dir.lstat(p.slice(1));
          if (!st) continue;
          const isDir = fileType(st.mode) === S_IFDIR;
          // Only what is still an empty stub: a step that wrote there keeps what it wrote.
          if ((isDir && dir.readdir(p.slice(1)).length === 0) || (!isDir && st.size === 0)) dir.remove(p.slice(1));
        }
      } finally {
        dir.close();
        await d.snapshotter.unmountContainer(id);
      }
    },

    async removeContainer(id) {
      await d.containers.remove(id, { force: true });
    },

    async tag(imageId, ref) {
      await d.images.tag(imageId, ref);
    },

    async cacheDir(id, { mode, uid, gid }) {
      // Hashed, so no id can name a path outside the root.
      const dir = join(d.cacheMountsRoot, createHash('sha256').update(id).digest('hex'));
      try {
        await mkdir(dir, { mode });
        await chown(dir, uid, gid);
        await chmod(dir, mode);
      } catch (e) {
        if (errnoCode(e) !== 'EEXIST') throw e;
      }
      return dir;
    },

    async scratchView(dir) {
      const base = await mkdtemp(join(d.scratchRoot, 'rw-'));
      const [upper, work, path] = ['upper', 'work', 'merged'].map((n) => join(base, n)) as [string, string, string];
      await Promise.all([upper, work, path].map((p) => mkdir(p, { mode: 0o755 })));
      try {
        await mountOverlay({ lowerDirs: [dir], upperDir: upper, workDir: work, target: path });
      } catch (e) {
        await rm(base, { recursive: true, force: true });
        throw e;
      }
      return {
        path,
        release: async () => {
          await unmount(path, { lazy: true });
          await rm(base, { recursive: true, force: true });
        },
      };
    },

    async mountImage(imageId) {
      const viewId = `build-view-${randomUUID().replace(/-/g, '')}`;
      const path = await d.snapshotter.mountContainer({ id: viewId, imageId });
      return { path, release: () => d.snapshotter.removeContainer(viewId) };
    },
  };
  return engine;
}
