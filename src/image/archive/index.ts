export * from './tar-header.js';
export * from './tar-reader.js';
export * from './tar-writer.js';
export * from './decompress.js';
export * from './apply-layer.js';
export * from './diff-upper.js';
export * from './tar-tree.js';
export { walkTree, type WalkOptions } from './tree-walk.js';
