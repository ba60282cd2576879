import { InvalidArgumentError, matchFilterPattern, matchLabels, parseTimeValue, type Filters } from '../base/index.js';
import { isUp, type ContainerRecord } from './config.js';
import type { ContainerCore } from './core.js';
import { matchesExpose, matchesPublish } from './port-filters.js';
import { mountsVolume } from './mount-points.js';
import { removeContainer } from './removal.js';
import type { WaitCondition, WaitResult } from './waiters.js';

export interface ListOptions { all?: boolean; limit?: number; latest?: boolean; filters?: Filters }

export function listContainers(core: ContainerCore, opts: ListOptions): ContainerRecord[] {
  const { store } = core.d;
  const f = opts.filters ?? new Map();
  let recs = store.all().sort((a, b) => b.created.localeCompare(a.created));
  const before = f.get('before');
  const since = f.get('since');
  const cut = (set: Set<string> | undefined): string | undefined => (set && set.size ? store.get([...set][0]!).created : undefined);
  for (const v of f.get('health') ?? []) {
    if (!['starting', 'healthy', 'unhealthy', 'none'].includes(v)) throw new InvalidArgumentError(`Unrecognised filter value for health: ${v}`);
  }
  const beforeAt = cut(before);
  const sinceAt = cut(since);
  recs = recs.filter((r) => {
    if (!opts.all && !opts.limit && !opts.latest && !f.has('status') && !f.has('exited') && !isUp(r.state)) return false;
    if (beforeAt && r.created >= beforeAt) return false;
    if (sinceAt && r.created <= sinceAt) return false;
    if (!matchAny(f.get('id'), (v) => r.id.startsWith(v))) return false;
    if (!matchAny(f.get('name'), (v) => matchFilterPattern(v, `/${r.name}`))) return false;
    if (!matchAny(f.get('status'), (v) => v === r.state.status)) return false;
    if (!matchAny(f.get('exited'), (v) => r.state.status === 'exited' && String(r.state.exitCode) === v)) return false;
    if (!matchAny(f.get('ancestor'), (v) => isAncestor(core, r, v))) return false;
    if (!matchAny(f.get('network'), (v) => r.hostConfig.NetworkMode === v || r.network?.networkId === v
      || Object.entries(r.networks ?? {}).some(([name, ep]) => name === v || ep.networkId === v)
      || Object.keys(r.networkingConfig?.EndpointsConfig ?? {}).includes(v))) return false;
    if (!matchLabels(r.config.Labels, f.get('label'))) return false;
    if (!matchesPublish(r, f.get('publish')) || !matchesExpose(r, f.get('expose'))) return false;
    if (!matchAny(f.get('health'), (v) => v === (r.health?.status ?? 'none'))) return false;
    if (!matchAny(f.get('volume'), (v) => mountsVolume(r, v))) return false;
    return true;
  });
  if (opts.latest) return recs.slice(0, 1);
  if (opts.limit && opts.limit > 0) return recs.slice(0, opts.limit);
  return recs;
}

function isAncestor(core: ContainerCore, r: ContainerRecord, ref: string): boolean {
  if (r.config.Image === ref) return true;
  try {
    return core.d.images.get(ref).id === r.imageId;
  } catch {
    return false;
  }
}

/** A container using the image, running ones first. */
export function imageUser(core: ContainerCore, imageId: string): { id: string; running: boolean } | undefined {
  const users = core.d.store.all().filter((r) => r.imageId === imageId);
  const running = users.find((r) => isUp(r.state));
  const rec = running ?? users[0];
  return rec ? { id: rec.id, running: rec === running } : undefined;
}

export function waitContainer(core: ContainerCore, ref: string, condition: WaitCondition = 'not-running', signal?: AbortSignal): Promise<WaitResult> {
  const rec = core.d.store.get(ref);
  if (condition === 'not-running' && !isUp(rec.state)) return Promise.resolve({ StatusCode: rec.state.exitCode });
  return core.waiters.add(rec.id, condition, signal);
}

export async function pruneContainers(core: ContainerCore, filters: Filters): Promise<{ deleted: string[]; spaceReclaimed: number }> {
  const { d } = core;
  const until = [...(filters.get('until') ?? [])][0];
  const untilMs = until ? parseTimeValue(until) : undefined;
  const deleted: string[] = [];
  let space = 0;
  for (const r of d.store.all()) {
    if (r.state.status !== 'exited' && r.state.status !== 'created' && r.state.status !== 'dead') continue;
    if (!matchLabels(r.config.Labels, filters.get('label'))) continue;
    if (untilMs !== undefined && Date.parse(r.created) >= untilMs) continue;
    space += await d.rootfs.sizeRw(r.id).catch(() => 0);
    await removeContainer(core, r.id).then(() => deleted.push(r.id), (e) => d.log.warn('prune: cannot remove', { id: r.id, error: String(e) }));
  }
  d.events?.publish({ type: 'container', action: 'prune', actor: { id: '', attributes: { reclaimed: String(space) } } });
  return { deleted, spaceReclaimed: space };
}

function matchAny(values: Set<string> | undefined, pred: (v: string) => boolean): boolean {
  if (!values || values.size === 0) return true;
  for (const v of values) if (pred(v)) return true;
  return false;
}

