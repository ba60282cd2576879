import type { Readable } from 'node:stream';
import { ConflictError } from '../base/index.js';
import { familiarString, parseNormalizedNamed, tagNameOnly, type ImageRuntimeConfig } from '../oci/index.js';
import type { ContainerDeclaration, ContainerRecord } from './config.js';
import type { ContainerCore } from './core.js';

/**
 * What commit needs of the image service: "new image = parent image + one layer tar + config
 * + history entry" (ImageService.commit; the builder calls the same operation). Change lines
 * are applied by the caller (applyChanges), so the config is final.
 */
export interface ImageCommitter {
  commit(opts: {
    parent: string; diff: Readable; config: ImageRuntimeConfig; author?: string; comment?: string; createdBy: string; repoTag?: string;
  }): Promise<{ id: string }>;
  /** Dockerfile-style change lines (`CMD ["sh"]`, `ENV A=1`...) over a config. */
  applyChanges(base: ImageRuntimeConfig, changes: readonly string[]): ImageRuntimeConfig;
}

export interface CommitRequest {
  ref: string;
  /** repo[:tag] of the new image; none leaves it untagged. */
  repoTag?: string;
  comment?: string;
  author?: string;
  /** Freeze the container while its layer is read (Docker's default). */
  pause: boolean;
  changes: string[];
  /** A config sent with the request (POST /commit's body); the container's fills what it leaves out. */
  config?: ImageRuntimeConfig;
  signal?: AbortSignal;
}

/** The container's Config as an image config, in Go's field order (the image ID hashes these bytes). */
export function imageConfigOf(c: ContainerDeclaration): ImageRuntimeConfig {
  const out: ImageRuntimeConfig = {
    Hostname: c.Hostname, Domainname: c.Domainname, User: c.User,
    AttachStdin: c.AttachStdin, AttachStdout: c.AttachStdout, AttachStderr: c.AttachStderr,
    ...(c.ExposedPorts && Object.keys(c.ExposedPorts).length ? { ExposedPorts: c.ExposedPorts as Record<string, Record<string, never>> } : {}),
    Tty: c.Tty, OpenStdin: c.OpenStdin, StdinOnce: c.StdinOnce, Env: c.Env, Cmd: c.Cmd,
    ...(c.Healthcheck ? { Healthcheck: c.Healthcheck as ImageRuntimeConfig['Healthcheck'] } : {}),
    ...(c.ArgsEscaped ? { ArgsEscaped: true } : {}),
    Image: c.Image, Volumes: (c.Volumes ?? null) as ImageRuntimeConfig['Volumes'], WorkingDir: c.WorkingDir, Entrypoint: c.Entrypoint,
    ...(c.NetworkDisabled ? { NetworkDisabled: true } : {}),
    OnBuild: c.OnBuild ?? null, Labels: c.Labels ?? {},
    ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
    ...(c.StopTimeout !== undefined ? { StopTimeout: c.StopTimeout } : {}),
    ...(c.Shell?.length ? { Shell: c.Shell } : {}),
  };
  return out;
}

/** dockerd's merge(): what the user's config leaves empty comes from the container's. */
export function mergeCommitConfig(user: ImageRuntimeConfig, container: ImageRuntimeConfig): ImageRuntimeConfig {
  const u: ImageRuntimeConfig = structuredClone(user);
  if (!u.User) u.User = container.User ?? '';
  if (!u.ExposedPorts || Object.keys(u.ExposedPorts).length === 0) {
    if (container.ExposedPorts) u.ExposedPorts = container.ExposedPorts;
  } else {
    for (const p of Object.keys(container.ExposedPorts ?? {})) u.ExposedPorts[p] ??= {};
  }
  if (!u.Env?.length) u.Env = container.Env ?? null;
  else {
    const keys = new Set(u.Env.map((e) => e.split('=')[0]));
    for (const e of container.Env ?? []) if (!keys.has(e.split('=')[0])) u.Env.push(e);
  }
  u.Labels = { ...Object.fromEntries(Object.entries(container.Labels ?? {})), ...(u.Labels ?? {}) };
  if (!u.Entrypoint?.length) {
    if (!u.Cmd?.length) u.Cmd = container.Cmd ?? null;
    if (u.Entrypoint === undefined || u.Entrypoint === null) u.Entrypoint = container.Entrypoint ?? null;
  }
  if (container.Healthcheck) {
    if (!u.Healthcheck) u.Healthcheck = container.Healthcheck;
    else {
      const h = u.Healthcheck;
      const c = container.Healthcheck;
      if (!h.Test?.length) h.Test = c.Test;
      if (!h.Interval) h.Interval = c.Interval;
      if (!h.Timeout) h.Timeout = c.Timeout;
      if (!h.StartPeriod) h.StartPeriod = c.StartPeriod;
      if (!h.Retries) h.Retries = c.Retries;
    }
  }
  if (!u.WorkingDir) u.WorkingDir = container.WorkingDir ?? '';
  if (!u.Volumes || Object.keys(u.Volumes).length === 0) u.Volumes = container.Volumes ?? null;
  else u.Volumes = { ...u.Volumes, ...(container.Volumes ?? {}) };
  if (!u.StopSignal && container.StopSignal) u.StopSignal = container.StopSignal;
  return u;
}

/**
 * `docker commit`: the container's rw layer (without the engine's mount points) stacked on its
 * image, its config with the change lines applied, and a history entry naming its command.
 * A running container is frozen while its layer is read unless the request says not to.
 */
export async function commitContainer(core: ContainerCore, images: ImageCommitter, req: CommitRequest): Promise<string> {
  const rec = core.d.store.get(req.ref);
  if (rec.state.status === 'dead') throw new ConflictError(`You cannot commit container ${rec.id} which is Dead`);
  if (rec.state.status === 'removing') throw new ConflictError(`You cannot commit container ${rec.id} which is being removed`);
  // a bad name fails before anything is paused or read
  const imageRef = req.repoTag ? familiarString(tagNameOnly(parseNormalizedNamed(req.repoTag))) : '';
  const containerConfig = imageConfigOf(rec.config);
  const config = mergeCommitConfig(images.applyChanges(req.config ?? containerConfig, req.changes), containerConfig);
  const paused = req.pause && rec.state.status === 'running' ? await pause(core, rec) : false;
  let id: string;
  try {
    const diff = core.d.rootfs.diffTar(rec.id, req.signal ? { signal: req.signal } : {});
    const img = await images.commit({
      parent: rec.imageId, diff, config, createdBy: (rec.config.Cmd ?? []).join(' '),
      ...(req.author ? { author: req.author } : {}), ...(req.comment ? { comment: req.comment } : {}), ...(req.repoTag ? { repoTag: req.repoTag } : {}),
    });
    id = img.id;
  } finally {
    if (paused) await resume(core, rec);
  }
  core.event(rec, 'commit', { comment: req.comment ?? '', imageID: id, imageRef });
  return id;
}

async function pause(core: ContainerCore, rec: ContainerRecord): Promise<boolean> {
  await core.d.runtime.pause(rec.id);
  core.event(rec, 'pause');
  return true;
}

async function resume(core: ContainerCore, rec: ContainerRecord): Promise<void> {
  await core.d.runtime.resume(rec.id);
  core.event(rec, 'unpause');
}
