import { ConflictError, matchLabels, parseTimeValue, shortId, type Filters } from '../../base/index.js';
import { familiarString, parseNormalizedNamed, referenceName, referenceString, tagNameOnly, type Reference } from '../../oci/index.js';
import { boolFilter, checkFilterNames, createdMs } from './image-list.js';
import { notFound, type ImageEntry, type ImageStore } from './image-store.js';
import type { DeleteRecord, ImageUser } from './types.js';
import { InvalidArgumentError } from '../../base/index.js';

export interface RemoveOptions {
  force?: boolean;
  noPrune?: boolean;
  /** The container using an image, if any. */
  inUse?: (imageId: string) => ImageUser | undefined;
  /** Told of each reference removed and each image deleted (Docker's untag and delete events). */
  onEvent?: ImageRemovalListener;
}

export type ImageRemovalListener = (action: 'untag' | 'delete', imageId: string) => void;

const CHILD = 1;
const RUNNING = 2;
const ACTIVE_REF = 4;
const STOPPED = 8;
const HARD = CHILD | RUNNING;
const SOFT = ACTIVE_REF | STOPPED;

class DeleteConflict extends ConflictError {
  constructor(readonly imageId: string, readonly hard: boolean, readonly used: boolean, detail: string) {
    super(`conflict: unable to delete ${shortId(imageId)} (${hard ? 'cannot be forced' : 'must be forced'}) - ${detail}`);
  }
}

function user(opts: RemoveOptions, id: string): { id: string; running: boolean } | undefined {
  const u = opts.inUse?.(id);
  if (u === undefined) return undefined;
  return typeof u === 'string' ? { id: u, running: false } : u;
}

function isImageIdPrefix(imageId: string, s: string): boolean {
  return imageId.startsWith(s) || imageId.slice(imageId.indexOf(':') + 1).startsWith(s);
}

/** Docker's isSingleReference: one tag, possibly with digests of the same repository. */
function isSingleReference(refs: Reference[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  let single: Reference | undefined;
  const canonical = new Set<string>();
  for (const r of refs) {
    if (r.digest !== undefined) canonical.add(referenceName(r));
    else if (!single) single = r;
    else return false;
  }
  single ??= refs[0]!;
  return canonical.size === 1 && canonical.has(referenceName(single));
}

class Remover {
  readonly records: DeleteRecord[] = [];
  refsDirty = false;
  constructor(private readonly store: ImageStore, private readonly opts: RemoveOptions) {}

  untag(ref: Reference): void {
    const id = this.store.refs.get(ref);
    this.store.refs.delete(ref);
    this.refsDirty = true;
    this.records.push({ Untagged: familiarString(ref) });
    if (id) this.opts.onEvent?.('untag', id);
  }

  conflict(img: ImageEntry, mask: number): DeleteConflict | undefined {
    if (mask & CHILD && this.store.children(img.id).length > 0) return new DeleteConflict(img.id, true, false, 'image has dependent child images');
    const u = user(this.opts, img.id);
    if (mask & RUNNING && u?.running) return new DeleteConflict(img.id, true, true, `image is being used by running container ${shortId(u.id)}`);
    if (mask & ACTIVE_REF && this.store.refs.byImage(img.id).length > 0) return new DeleteConflict(img.id, false, false, 'image is referenced in multiple repositories');
    if (mask & STOPPED && u && !u.running) return new DeleteConflict(img.id, false, true, `image is being used by stopped container ${shortId(u.id)}`);
    return undefined;
  }

  async run(imageRef: string): Promise<void> {
    const { store, opts } = this;
    const img = store.resolve(imageRef);
    let refs = store.refs.byImage(img.id);
    let quiet = false;
    if (!isImageIdPrefix(img.id, imageRef)) {
      const u = user(opts, img.id);
      if (!opts.force && isSingleReference(refs) && u) {
        throw new ConflictError(`conflict: unable to remove repository reference "${imageRef}" (must force) - container ${shortId(u.id)} is using its referenced image ${shortId(img.id)}`);
      }
      const parsed = tagNameOnly(parseNormalizedNamed(imageRef));
      if (store.refs.get(parsed) !== img.id) throw notFound(parsed);
      this.untag(parsed);
      refs = store.refs.byImage(img.id);
      if (parsed.digest === undefined && !refs.some((r) => r.digest === undefined && referenceName(r) === referenceName(parsed))) {
        // the last tag of a repository takes that repository's digests with it
        const remaining: Reference[] = [];
        for (const r of refs) {
          if (r.digest !== undefined && referenceName(r) === referenceName(parsed)) this.untag(r);
          else remaining.push(r);
        }
        refs = remaining;
      }
      if (refs.length > 0) return;
      quiet = true;
    } else if (isSingleReference(refs)) {
      const c = this.conflict(img, HARD | (opts.force ? 0 : SOFT & ~ACTIVE_REF));
      if (c) throw c;
      for (const r of refs) this.untag(r);
    }
    await this.deleteHelper(img, !!opts.force, !opts.noPrune, quiet);
  }

  private async deleteHelper(img: ImageEntry, force: boolean, prune: boolean, quiet: boolean): Promise<void> {
    const c = this.conflict(img, HARD | (force ? 0 : SOFT));
    if (c) {
      const dangling = this.store.refs.byImage(img.id).length === 0 && this.store.children(img.id).length === 0;
      if (quiet && (!dangling || c.used)) return;
      throw c;
    }
    const parent = img.parent;
    for (const r of this.store.refs.byImage(img.id)) this.untag(r);
    if (this.refsDirty) {
      // persist untags before the image disappears, so a crash never leaves a tag to nothing
      await this.store.refs.save();
      this.refsDirty = false;
    }
    const removed = await this.store.deleteImage(img);
    this.records.push({ Deleted: img.id });
    this.opts.onEvent?.('delete', img.id);
    for (const l of removed) this.records.push({ Deleted: l });
    if (!prune || !parent) return;
    const p = this.store.get(parent);
    if (p) await this.deleteHelper(p, false, true, true);
  }
}

/** `docker rmi` with Docker's semantics, conflict texts and output records. Call under the lock. */
export async function removeImageLocked(store: ImageStore, imageRef: string, opts: RemoveOptions): Promise<DeleteRecord[]> {
  const r = new Remover(store, opts);
  try {
    await r.run(imageRef);
  } finally {
    if (r.refsDirty) await store.refs.save();
  }
  return r.records;
}

export interface PruneOptions {
  all?: boolean;
  filters?: Filters;
  inUse: (imageId: string) => boolean;
  onEvent?: ImageRemovalListener;
}

/** `docker image prune`: dangling images (or all unused with `all`), Docker's filters. Call under the lock. */
export async function pruneImagesLocked(store: ImageStore, opts: PruneOptions): Promise<{ deleted: DeleteRecord[]; spaceReclaimed: number }> {
  const f = opts.filters;
  checkFilterNames(f, ['dangling', 'label', 'label!', 'until']);
  const danglingOnly = opts.all ? false : boolFilter(f, 'dangling', true);
  const untilValues = [...(f?.get('until') ?? [])];
  if (untilValues.length > 1) throw new InvalidArgumentError('more than one until filter specified');
  let until: number | undefined;
  if (untilValues[0] !== undefined) {
    try {
      until = parseTimeValue(untilValues[0]);
    } catch (e) {
      throw new InvalidArgumentError(`invalid value for 'until' filter: ${(e as Error).message}`);
    }
  }
  const layerSizes = new Map(store.layers.all().map((l) => [l.chainId as string, l.size]));
  const candidates = [...store.images.values()].filter((img) => {
    if (danglingOnly && store.children(img.id).length > 0) return false;
    if (store.refs.byImage(img.id).length === 0 && store.children(img.id).length > 0) return false;
    const created = createdMs(img);
    if (until !== undefined && (created === undefined || created > until)) return false;
    const labels = img.config.config?.Labels ?? undefined;
    if (f?.has('label') && !matchLabels(labels, f.get('label'))) return false;
    if (f?.has('label!') && f.get('label!')!.size > 0 && matchLabels(labels, f.get('label!'))) return false;
    return true;
  }).sort((a, b) => (createdMs(b) ?? 0) - (createdMs(a) ?? 0));
  const removeOpts: RemoveOptions = { inUse: (id) => (opts.inUse(id) ? { id: 'in-use', running: false } : undefined), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) };
  const deleted: DeleteRecord[] = [];
  const attempt = async (ref: string): Promise<void> => {
    try {
      deleted.push(...(await removeImageLocked(store, ref, removeOpts)));
    } catch (e) {
      if (!(e instanceof ConflictError)) store.log.warn('failed to prune image', { ref, error: String(e) });
    }
  };
  for (const img of candidates) {
    if (!store.get(img.id)) continue; // removed as a parent of an earlier one
    const refs = store.refs.byImage(img.id);
    if (refs.length > 0) {
      const shouldDelete = !danglingOnly || !refs.some((r) => r.tag !== undefined && r.digest === undefined);
      if (shouldDelete) for (const r of refs) await attempt(referenceString(r));
    } else await attempt(img.id.slice(7));
  }
  let spaceReclaimed = 0;
  for (const d of deleted) if (d.Deleted) spaceReclaimed += layerSizes.get(d.Deleted) ?? 0;
  return { deleted, spaceReclaimed };
}
