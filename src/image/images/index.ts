export * from './types.js';
export * from './image-service.js';
export type { BlobCommit, LayerInfo, RegisterLayerOptions, RegisteredLayer, UnpackedLayer } from './layer-store.js';
export type { RemoveOptions, PruneOptions } from './image-remove.js';
export { applyChanges } from './changes.js';
export { hostPlatform, parsePlatform, platformMismatch } from './image-create.js';
export { pathMatch } from './glob.js';
