import { familiarString } from '../../oci/index.js';
import type { ImageStore } from './image-store.js';
import type { HistoryEntry } from './types.js';

/** `docker history`, newest first, with Docker's '<missing>' IDs for layers of pulled images. */
export function imageHistory(store: ImageStore, refOrId: string): HistoryEntry[] {
  const img = store.resolve(refOrId);
  const rows: HistoryEntry[] = [];
  let layer = 0;
  for (const h of img.config.history ?? []) {
    let size = 0;
    if (!h.empty_layer) {
      const chain = img.chainIds[layer];
      if (chain === undefined) throw new Error('too many non-empty layers in History section');
      size = store.layers.get(chain)?.size ?? 0;
      layer++;
    }
    const t = h.created ? Date.parse(h.created) : NaN;
    rows.unshift({ id: '<missing>', created: Number.isNaN(t) ? 0 : Math.floor(t / 1000), createdBy: h.created_by ?? '', size, comment: h.comment ?? '', tags: [] });
  }
  // Docker walks the local parent chain alongside the rows, newest first
  let cur: typeof img | undefined = img;
  for (const row of rows) {
    if (!cur) break;
    row.id = cur.id;
    row.tags = store.refs.byImage(cur.id).filter((r) => r.tag !== undefined && r.digest === undefined).map(familiarString);
    cur = cur.parent ? store.get(cur.parent) : undefined;
  }
  return rows;
}
