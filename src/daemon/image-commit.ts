import type { ImageCommitter } from '../container/index.js';
import { applyChanges, type ImageService } from '../image/index.js';

/** The container service's commit port over the image service (the builder's operation too). */
export function imageCommitter(images: ImageService): ImageCommitter {
  return {
    commit: async (o) => ({ id: (await images.commit(o)).id }),
    applyChanges,
  };
}
