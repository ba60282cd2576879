import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '../base/index.js';
import type { EngineClient } from './engine-client.js';
import { readBody } from './transport.js';

/** X-Docker-Container-Path-Stat, decoded (Docker's container.PathStat). */
export interface ContainerPathStat {
  name: string;
  size: number;
  /** Go's os.FileMode bits. */
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** Go's os.ModeDir and os.ModeSymlink, and the type bits a "regular file" has none of. */
export const GO_MODE_DIR = 2 ** 31;
export const GO_MODE_SYMLINK = 2 ** 27;

export function goModeIsDir(mode: number): boolean {
  return Math.floor(mode / GO_MODE_DIR) % 2 === 1;
}

export function goModeIsSymlink(mode: number): boolean {
  return Math.floor(mode / GO_MODE_SYMLINK) % 2 === 1;
}

/** A regular file: none of Go's type bits (dir, symlink, device, pipe, socket, char device, irregular). */
export function goModeIsRegular(mode: number): boolean {
  let rest = mode;
  for (const bit of [2 ** 31, 2 ** 27, 2 ** 26, 2 ** 25, 2 ** 24, 2 ** 21, 2 ** 19]) {
    if (rest >= bit && Math.floor(rest / bit) % 2 === 1) return false;
  }
  return true;
}

function decodeStat(res: IncomingMessage): ContainerPathStat {
  const raw = res.headers['x-docker-container-path-stat'];
  if (typeof raw !== 'string') throw new InvalidArgumentError('the daemon sent no X-Docker-Container-Path-Stat header');
  try {
    return JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as ContainerPathStat;
  } catch {
    throw new InvalidArgumentError(`Cannot decode X-Docker-Container-Path-Stat "${raw.slice(0, 64)}"`);
  }
}

const enc = encodeURIComponent;

/** HEAD /containers/{id}/archive. */
export async function containerStatPath(client: EngineClient, id: string, path: string): Promise<ContainerPathStat> {
  const res = await client.request(`/containers/${enc(id)}/archive`, { method: 'HEAD', query: { path } });
  res.resume();
  return decodeStat(res);
}

/** GET /containers/{id}/archive: the tar and the path's stat. */
export async function copyFromContainer(client: EngineClient, id: string, path: string, signal?: AbortSignal): Promise<{ stat: ContainerPathStat; content: IncomingMessage }> {
  const res = await client.request(`/containers/${enc(id)}/archive`, { query: { path }, ...(signal ? { signal } : {}) });
  return { stat: decodeStat(res), content: res };
}

/** PUT /containers/{id}/archive: extract the tar into the directory `path`. */
export async function copyToContainer(client: EngineClient, id: string, path: string, content: Readable, opts: { allowOverwriteDirWithFile?: boolean; copyUIDGID?: boolean; signal?: AbortSignal } = {}): Promise<void> {
  const res = await client.request(`/containers/${enc(id)}/archive`, {
    method: 'PUT',
    query: { path, noOverwriteDirNonDir: opts.allowOverwriteDirWithFile ? undefined : 'true', copyUIDGID: opts.copyUIDGID ? 'true' : undefined },
    body: content, headers: { 'Content-Type': 'application/x-tar' }, ...(opts.signal ? { signal: opts.signal } : {}),
  });
  await readBody(res);
}

/** One `docker diff` line: Kind 0 changed, 1 added, 2 deleted. */
export interface ContainerChange { Path: string; Kind: 0 | 1 | 2 }

export async function containerChanges(client: EngineClient, id: string): Promise<ContainerChange[]> {
  return (await client.json<ContainerChange[] | null>(`/containers/${enc(id)}/changes`)) ?? [];
}

export interface CommitOptions {
  reference?: string;
  comment?: string;
  author?: string;
  changes?: string[];
  pause?: boolean;
  config?: Record<string, unknown>;
}

/** POST /commit; resolves with the new image's ID. */
export async function containerCommit(client: EngineClient, container: string, opts: CommitOptions = {}): Promise<string> {
  let repo: string | undefined;
  let tag: string | undefined;
  if (opts.reference) {
    // the last ":" after the last "/" separates the tag, as docker's reference parser splits
    const slash = opts.reference.lastIndexOf('/');
    const colon = opts.reference.lastIndexOf(':');
    if (opts.reference.includes('@')) throw new InvalidArgumentError('refusing to create a tag with a digest reference');
    if (colon > slash) { repo = opts.reference.slice(0, colon); tag = opts.reference.slice(colon + 1); } else repo = opts.reference;
  }
  const res = await client.json<{ Id: string }>('/commit', {
    method: 'POST',
    query: {
      container, repo, tag, comment: opts.comment || undefined, author: opts.author || undefined, changes: opts.changes,
      pause: opts.pause === false ? '0' : undefined,
    },
    ...(opts.config ? { body: opts.config } : {}),
  });
  return res.Id;
}
