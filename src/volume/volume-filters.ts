import { InvalidArgumentError, matchFilterPattern, matchLabels, type Filters } from '../base/index.js';
import { LABEL_ANONYMOUS_VOLUME, type VolumeRecord } from './types.js';

export const VOLUME_LIST_FILTERS = ['dangling', 'driver', 'label', 'name'];
export const VOLUME_PRUNE_FILTERS = ['label', 'label!', 'all'];

/** `volume ls --filter`: dangling (no container uses it), driver, label, name (dockerd's pattern match). */
export function matchVolume(v: VolumeRecord, f: Filters, inUse: boolean): boolean {
  const dangling = f.get('dangling');
  if (dangling?.size) {
    const want = [...dangling].map(parseBool);
    if (!want.includes(!inUse)) return false;
  }
  const driver = f.get('driver');
  if (driver?.size && ![...driver].some((d) => matchFilterPattern(d, v.driver))) return false;
  const name = f.get('name');
  if (name?.size && ![...name].some((n) => matchFilterPattern(n, v.name))) return false;
  return matchLabels(v.labels ?? undefined, f.get('label'));
}

/** Whether prune may take the volume (in-use is the caller's check). */
export function pruneCandidate(v: VolumeRecord, f: Filters, anonymousOnly: boolean): boolean {
  const all = f.get('all');
  const everything = all?.size ? [...all].some(parseBool) : !anonymousOnly;
  if (!everything && !(v.labels && LABEL_ANONYMOUS_VOLUME in v.labels)) return false;
  if (!matchLabels(v.labels ?? undefined, f.get('label'))) return false;
  const not = f.get('label!');
  if (not?.size && [...not].some((l) => matchLabels(v.labels ?? undefined, new Set([l])))) return false;
  return true;
}

function parseBool(s: string): boolean {
  const v = s.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new InvalidArgumentError(`invalid filter 'dangling=${s}'`);
}
