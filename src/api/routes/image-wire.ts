import type { ImageRuntimeConfig } from '../../oci/index.js';
import type { ImageRecord } from '../../image/index.js';
import type { ImageInspect, ImageSummary } from '../types/index.js';
import { compareVersions } from '../server/index.js';

export type ImageView = Pick<ImageRecord, 'id' | 'repoTags' | 'repoDigests' | 'config' | 'created' | 'size' | 'parent' | 'comment' | 'layers'>;

const older = (version: string, than: string): boolean => compareVersions(version, than) < 0;

/**
 * Every key of moby's container.Config with its zero value, in its order: what API < 1.45
 * sends as an image's ContainerConfig (docker-compose 1.29 reads it on every recreate) and
 * API < 1.50 fills into an image's Config.
 */
function fullContainerConfig(c: ImageRuntimeConfig | undefined): Record<string, unknown> {
  const v = c ?? {};
  return {
    Hostname: v.Hostname ?? '', Domainname: v.Domainname ?? '', User: v.User ?? '',
    AttachStdin: v.AttachStdin ?? false, AttachStdout: v.AttachStdout ?? false, AttachStderr: v.AttachStderr ?? false,
    ...(v.ExposedPorts ? { ExposedPorts: v.ExposedPorts } : {}),
    Tty: v.Tty ?? false, OpenStdin: v.OpenStdin ?? false, StdinOnce: v.StdinOnce ?? false,
    Env: v.Env ?? null, Cmd: v.Cmd ?? null,
    ...(v.Healthcheck ? { Healthcheck: v.Healthcheck } : {}),
    ...(v.ArgsEscaped ? { ArgsEscaped: v.ArgsEscaped } : {}),
    Image: v.Image ?? '', Volumes: v.Volumes ?? null, WorkingDir: v.WorkingDir ?? '', Entrypoint: v.Entrypoint ?? null,
    ...(v.NetworkDisabled ? { NetworkDisabled: v.NetworkDisabled } : {}),
    OnBuild: v.OnBuild ?? null, Labels: v.Labels ?? null,
    ...(v.StopSignal ? { StopSignal: v.StopSignal } : {}),
    ...(v.StopTimeout !== undefined ? { StopTimeout: v.StopTimeout } : {}),
    ...(v.Shell ? { Shell: v.Shell } : {}),
  };
}

/** Keys of the image Config that API 1.50 and 1.51 always sent. */
function configFor150(c: ImageRuntimeConfig | undefined): Record<string, unknown> {
  const v = c ?? {};
  return { ...v, Cmd: v.Cmd ?? null, Entrypoint: v.Entrypoint ?? null, Env: v.Env ?? null, Labels: v.Labels ?? null, OnBuild: v.OnBuild ?? null, User: v.User ?? '', Volumes: v.Volumes ?? null, WorkingDir: v.WorkingDir ?? '' };
}

/** GET /images/{name}/json as the negotiated API version defines it (moby's image router). */
export function toImageInspect(img: ImageView & { lastTagTime: string }, version: string): ImageInspect {
  const c = img.config;
  const legacy = older(version, '1.52');
  const config = older(version, '1.50') ? fullContainerConfig(c.config) : legacy ? configFor150(c.config) : (c.config ?? {});
  const out: Record<string, unknown> = {
    Id: img.id,
    RepoTags: img.repoTags,
    RepoDigests: img.repoDigests,
  };
  if (legacy || img.parent) out.Parent = img.parent;
  if (legacy || img.comment) out.Comment = img.comment;
  out.Created = img.created || (older(version, '1.44') ? '0001-01-01T00:00:00Z' : '');
  if (older(version, '1.45')) {
    out.Container = c.container ?? '';
    out.ContainerConfig = fullContainerConfig(c.container_config);
  }
  if (legacy || c.docker_version) out.DockerVersion = c.docker_version ?? '';
  if (legacy || c.author) out.Author = c.author ?? '';
  out.Config = config;
  out.Architecture = c.architecture;
  if (c.variant) out.Variant = c.variant;
  out.Os = c.os;
  if (c['os.version']) out.OsVersion = c['os.version'];
  out.Size = img.size;
  if (older(version, '1.44')) out.VirtualSize = img.size;
  out.GraphDriver = { Name: 'overlay2', Data: {} };
  out.RootFS = { Type: 'layers', Layers: img.layers };
  out.Metadata = { LastTagTime: img.lastTagTime || '0001-01-01T00:00:00Z' };
  return out as ImageInspect;
}

/** One row of GET /images/json as the negotiated API version defines it. */
export function toImageSummary(img: ImageView, containers: number, version: string): ImageSummary {
  const untagged = img.repoTags.length === 0 && img.repoDigests.length === 0;
  const none = untagged && older(version, '1.43');
  return {
    Id: img.id,
    ParentId: img.parent,
    RepoTags: none ? ['<none>:<none>'] : img.repoTags,
    RepoDigests: none ? ['<none>@<none>'] : img.repoDigests,
    Created: Math.floor(Date.parse(img.created) / 1000) || 0,
    Size: img.size,
    SharedSize: -1,
    ...(older(version, '1.44') ? { VirtualSize: img.size } : {}),
    Labels: img.config.config?.Labels ?? {},
    // dockerd counts containers per image only from API 1.51 (before, -1 meant "not computed").
    Containers: older(version, '1.51') ? -1 : containers,
  };
}
