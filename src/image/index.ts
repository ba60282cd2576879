export * from './images/index.js';
export * from './content/index.js';
export { applyLayer, diffUpper, tarTree, readTar, writeTar, walkTree, decompressStream, detectCompression } from './archive/index.js';
export type { ApplyLayerResult, FileDigest, TarEntry, TarHeader, TarWriteEntry, Compression } from './archive/index.js';
