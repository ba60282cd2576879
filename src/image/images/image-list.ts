import { InvalidArgumentError, matchLabels, parseTimeValue, type Filters } from '../../base/index.js';
import { familiarName, familiarString, referenceName, referenceString, tagNameOnly } from '../../oci/index.js';
import { pathMatch } from './glob.js';
import type { ImageEntry, ImageStore } from './image-store.js';
import type { ImageRecord } from './types.js';

const LIST_FILTERS = ['dangling', 'label', 'before', 'since', 'reference', 'until'];

export function checkFilterNames(filters: Filters | undefined, accepted: readonly string[]): void {
  for (const k of filters?.keys() ?? []) if (!accepted.includes(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
}

/** Docker's GetBoolOrDefault for filters such as dangling=true. */
export function boolFilter(filters: Filters | undefined, key: string, dflt: boolean): boolean {
  const v = filters?.get(key);
  if (!v) return dflt;
  const isFalse = v.has('0') || v.has('false');
  const isTrue = v.has('1') || v.has('true');
  if (isFalse === isTrue) throw new InvalidArgumentError(`invalid filter '${key}=[${[...v].join(' ')}]'`);
  return isTrue;
}

export function createdMs(img: ImageEntry): number | undefined {
  const t = img.config.created ? Date.parse(img.config.created) : NaN;
  return Number.isNaN(t) ? undefined : t;
}

/** `docker images`: Docker's selection rules for dangling, intermediate and filtered images. */
export function listImages(store: ImageStore, opts: { all?: boolean; filters?: Filters } = {}): ImageRecord[] {
  const f = opts.filters;
  checkFilterNames(f, LIST_FILTERS);
  const danglingOnly = boolFilter(f, 'dangling', false);
  let before: number | undefined;
  let since: number | undefined;
  for (const v of f?.get('before') ?? []) {
    const t = createdMs(store.resolve(v));
    if (t !== undefined && (before === undefined || t < before)) before = t;
  }
  for (const v of f?.get('until') ?? []) {
    let t: number;
    try {
      t = parseTimeValue(v);
    } catch (e) {
      throw new InvalidArgumentError(`invalid value for 'until' filter: ${(e as Error).message}`);
    }
    if (before === undefined || t < before) before = t;
  }
  for (const v of f?.get('since') ?? []) {
    const t = createdMs(store.resolve(v));
    if (t !== undefined && (since === undefined || t > since)) since = t;
  }
  const patterns = f?.get('reference');
  const out: Array<{ rec: ImageRecord; created: number }> = [];
  for (const img of store.images.values()) {
    const hasChildren = store.children(img.id).length > 0;
    if (danglingOnly && hasChildren) continue;
    const created = createdMs(img);
    if (before !== undefined && (created === undefined || created >= before)) continue;
    if (since !== undefined && (created === undefined || created <= since)) continue;
    if (f?.has('label') && !matchLabels(img.config.config?.Labels ?? undefined, f.get('label'))) continue;
    let refs = store.refs.byImage(img.id);
    if (patterns && patterns.size > 0) {
      refs = refs.filter((r) => {
        const targets = [familiarString(r), familiarName(r), referenceString(tagNameOnly(r)), referenceName(r)];
        return [...patterns].some((p) => targets.some((t) => pathMatch(p, t)));
      });
    }
    const rec = store.record(img, refs);
    if (rec.repoTags.length === 0 && rec.repoDigests.length === 0) {
      if (!(opts.all || !hasChildren)) continue;
      if (f?.has('dangling') && !danglingOnly) continue;
      if (f?.has('reference')) continue;
    } else if (danglingOnly && rec.repoTags.length > 0) continue;
    out.push({ rec, created: created ?? 0 });
  }
  return out.sort((a, b) => b.created - a.created || (a.rec.id < b.rec.id ? -1 : 1)).map((x) => x.rec);
}
