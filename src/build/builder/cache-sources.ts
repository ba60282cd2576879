import { isDeepStrictEqual } from 'node:util';
import type { ImageConfig } from '../../oci/index.js';
import type { BaseImage } from './engine.js';

/**
 * What a `--cache-from` image offers a step: the image itself (the step is its last one), or
 * its history entry `index` to stack on the step's parent (layer and history reused, no run).
 */
export type SourceMatch = { kind: 'image'; id: string } | { kind: 'step'; source: BaseImage; index: number };

/**
 * The classic builder's `--cache-from`: images (often pulled, so with no parent chain here)
 * whose history is matched step by step. A step matches when the source's history and layers
 * start with the parent's and its next history entry was made by the same instruction, the
 * way dockerd's image cache compares `created_by`.
 */
export class CacheSources {
  constructor(private sources: BaseImage[]) {}

  get active(): boolean {
    return this.sources.length > 0;
  }

  /** Is `id` one of the sources or an ancestor of one? (a local hit counts only then, as in dockerd) */
  async covers(id: string, parentOf: (id: string) => Promise<string | undefined>): Promise<boolean> {
    for (const s of this.sources) {
      for (let cur: string | undefined = s.id; cur; cur = await parentOf(cur)) {
        if (cur === id) return true;
      }
    }
    return false;
  }

  match(parent: ImageConfig | undefined, createdBy: string): SourceMatch | undefined {
    const depth = parent?.history?.length ?? 0;
    for (const source of this.sources) {
      const history = source.config.history ?? [];
      if (!startsWith(source.config, parent) || history[depth]?.created_by !== createdBy) continue;
      if (history.length - 1 === depth) return { kind: 'image', id: source.id };
      // Once a source has served a step, the next steps come from it alone (dockerd's safety rule).
      this.sources = [source];
      return { kind: 'step', source, index: depth };
    }
    return undefined;
  }
}

/** Does `image`'s history and layer stack begin with all of `parent`'s (and go further)? */
function startsWith(image: ImageConfig, parent: ImageConfig | undefined): boolean {
  const history = image.history ?? [];
  if (history.length === 0) return false;
  const ph = parent?.history ?? [];
  const pd = parent?.rootfs.diff_ids ?? [];
  if (ph.length === 0 && pd.length === 0) return true;
  if (ph.length >= history.length || pd.length > image.rootfs.diff_ids.length) return false;
  return ph.every((h, i) => isDeepStrictEqual(h, history[i])) && pd.every((d, i) => d === image.rootfs.diff_ids[i]);
}
