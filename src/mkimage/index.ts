export * from './archive.js';
export * from './busybox.js';
export * from './debian.js';
export * from './registry.js';
